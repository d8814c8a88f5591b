// Starts the SPA. Trunk writes the names of the wasm-bindgen glue and the
// wasm (both content-hashed) onto this file's <script> tag (Trunk.toml,
// `pattern_script`), so index.html needs no inline script and the
// Content-Security-Policy can forbid it.
const tag = document.querySelector('script[data-wasm]');
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
