//! Shown on a page the user's role does not open: why, and who can.

use leptos::prelude::*;

/// A notice that the page is for other roles.
#[component]
pub fn RestrictedNotice(
    /// The heading, e.g. "You don't have access to the audit log".
    title: &'static str,
    /// Who may use the page and whom to ask.
    message: &'static str,
) -> impl IntoView {
    view! {
        <section class="card card--notice" aria-labelledby="restricted-heading">
            <span class="notice-icon" aria-hidden="true">
                <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <rect x="4" y="11" width="16" height="10" rx="2" />
                    <path d="M8 11V7a4 4 0 0 1 8 0v4" />
                </svg>
            </span>
            <h2 class="card__title" id="restricted-heading">
                {title}
            </h2>
            <p>{message}</p>
        </section>
    }
}
