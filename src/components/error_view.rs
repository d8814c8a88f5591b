//! What a region shows when its data could not be loaded: the reason and a
//! way to try again.

use crate::api::ApiError;
use leptos::prelude::*;

/// An error message with an optional "Try again" button.
#[component]
pub fn ErrorView(
    /// The reason, for people (usually the API's `message`).
    #[prop(into)]
    message: Signal<String>,
    /// Called by "Try again"; without it there is no button.
    #[prop(optional, into)]
    on_retry: Option<Callback<()>>,
    /// The heading above the message.
    #[prop(default = "Something went wrong")]
    title: &'static str,
) -> impl IntoView {
    view! {
        <div class="error-view" role="alert">
            <span class="error-view__icon" aria-hidden="true">
                "!"
            </span>
            <div class="error-view__text">
                <h2 class="error-view__title">{title}</h2>
                <p class="error-view__message">{move || message.get()}</p>
                {on_retry
                    .map(|retry| {
                        view! {
                            <button
                                type="button"
                                class="button button--secondary"
                                on:click=move |_| retry.run(())
                            >
                                "Try again"
                            </button>
                        }
                    })}
            </div>
        </div>
    }
}

/// The message to show for the errors an `<ErrorBoundary>` caught: the API's
/// sentence when there is one.
pub fn errors_message(errors: &Errors) -> String {
    errors
        .iter()
        .next()
        .map(|(_, error)| match error.downcast_ref::<ApiError>() {
            Some(api_error) => api_error.message.clone(),
            None => error.to_string(),
        })
        .unwrap_or_default()
}
