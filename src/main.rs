//! The billing portal SPA: installs the panic hook, takes down index.html's
//! loading shell and mounts the app.

mod api;
mod app;
mod clock;
mod components;
mod focus;
mod format;
mod pages;
mod state;

/// The static placeholder index.html paints before the wasm has loaded.
const BOOT_SHELL_ID: &str = "boot-shell";

fn main() {
    console_error_panic_hook::set_once();
    // Removed in the same task as the app mounts: no frame shows both.
    if let Some(shell) = leptos::prelude::document().get_element_by_id(BOOT_SHELL_ID) {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
