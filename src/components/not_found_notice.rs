//! "Not found" inside the app frame: for a record or tool that does not
//! exist, with a way back.

use leptos::prelude::*;

/// A not-found message with a link back.
#[component]
pub fn NotFoundNotice(
    /// The heading, e.g. "Invoice not found".
    title: &'static str,
    /// One sentence saying what happened.
    message: &'static str,
    /// Where the link goes.
    back_href: &'static str,
    /// The link's text, e.g. "Back to invoices".
    back_label: &'static str,
) -> impl IntoView {
    view! {
        <section class="card card--notice" aria-labelledby="not-found-heading">
            <h1 class="page__title" id="not-found-heading">
                {title}
            </h1>
            <p class="muted">{message}</p>
            <p>
                <a class="button button--secondary" href=back_href>
                    {back_label}
                </a>
            </p>
        </section>
    }
}
