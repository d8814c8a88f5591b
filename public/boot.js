// Starts the SPA. Trunk writes the names of the wasm-bindgen glue and the
// wasm (both content-hashed) onto this file's <script> tag (Trunk.toml,
// `pattern_script`), so index.html needs no inline script and the
// Content-Security-Policy can forbid it.
const tag = document.querySelector('script[data-wasm]');
const { default: init } = await import(tag.dataset.js);
// Let the browser paint index.html's loading shell before the wasm starts,
// so the shell is the first (and largest) contentful paint (issue 12): wait
// for the first contentful paint, or half a second where it is not reported.
// Hidden tabs paint nothing: they start at once.
if (document.visibilityState === 'visible' && 'PerformanceObserver' in window) {
  await new Promise((resolve) => {
    const painted = (list, observer) => {
      if (list.getEntriesByName('first-contentful-paint').length > 0) {
        observer.disconnect();
        resolve();
      }
    };
    try {
      new PerformanceObserver(painted).observe({ type: 'paint', buffered: true });
    } catch {
      resolve();
    }
    setTimeout(resolve, 500);
  });
}
await init({ module_or_path: tag.dataset.wasm });
