//! The billing portal SPA: installs the panic hook and mounts the app.

mod api;
mod app;
mod clock;
mod components;
mod focus;
mod format;
mod pages;
mod state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
