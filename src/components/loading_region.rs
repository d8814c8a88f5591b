//! A region of a page filled from the API: the loading view until the first
//! answer, the error view when an answer is an error, else its content.

use super::error_view::{errors_message, ErrorView};
use super::loading_view::LoadingView;
use leptos::prelude::*;

/// One resource's region. Its content (`children`, usually a `Suspend` that
/// awaits the resource) stays in place while the resource reloads, as in a
/// `<Transition>`; an `Err` from it shows the error view with
/// `error_title`, the API's sentence and "Try again".
///
/// Every such region of the portal goes through this one component, so the
/// wasm holds the transition and the error boundary once rather than once
/// per region (issue 12).
#[component]
pub fn LoadingRegion(
    /// Read out and shown while loading.
    #[prop(default = "Loading…")]
    label: &'static str,
    /// How many skeleton cards to sketch while loading (0: a one-line spinner).
    #[prop(optional)]
    cards: usize,
    /// The error view's heading.
    error_title: &'static str,
    /// What "Try again" does.
    on_retry: Callback<()>,
    /// Told whether a reload is under way.
    #[prop(optional, into)]
    set_pending: Option<SignalSetter<bool>>,
    children: Children,
) -> impl IntoView {
    view! {
        <Transition
            fallback=move || view! { <LoadingView label cards /> }
            set_pending=set_pending.unwrap_or_default()
        >
            <ErrorBoundary fallback=move |errors| {
                view! {
                    <ErrorView
                        title=error_title
                        message=Signal::derive(move || errors_message(&errors.read()))
                        on_retry
                    />
                }
            }>{children()}</ErrorBoundary>
        </Transition>
    }
}
