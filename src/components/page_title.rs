//! The browser tab's title for the current page.

use leptos::prelude::*;

/// Sets the document title to "Billing — `text`" while the page is shown.
#[component]
pub fn PageTitle(
    /// The page's name, e.g. "Plans & Billing".
    #[prop(into)]
    text: String,
) -> impl IntoView {
    document().set_title(&format!("Billing — {text}"));
}
