//! Forgot password: the address to send a reset link to. The answer is the
//! same whether or not an account uses it.

use crate::api::{self, ApiError};
use crate::components::page_title::PageTitle;
use crate::components::text_field::TextField;
use billing_domain::wire::{PasswordResetRequest, PasswordResetRequested};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// What the page says once the request is in.
pub fn sent_message(email: &str, valid_minutes: u32) -> String {
    format!(
        "If an account uses {email}, we've sent it a link to choose a new password. The link works once, for {valid_minutes} minutes."
    )
}

/// `/forgot-password`.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let email_ref = NodeRef::<leptos::html::Input>::new();
    let heading_ref = NodeRef::<leptos::html::H1>::new();
    let send = Action::new_local(move |request: &PasswordResetRequest| {
        let request = request.clone();
        async move {
            api::security::request_password_reset(&request)
                .await
                .map(|sent| (request.email, sent))
        }
    });
    let pending = send.pending();
    let sent = Memo::new(move |_| send.value().get().and_then(Result::ok));
    let error = Memo::new(move |_| send.value().get().and_then(Result::err));
    let email_error = move || error.get().and_then(|e: ApiError| e.message_for("email"));
    let form_error = move || error.get().and_then(|e| e.message_except(&["email"]));

    // After sending, the heading changes: move focus there so it is read out.
    // After a refusal, the cursor goes to the address.
    Effect::new(move |_| {
        if sent.with(Option::is_some) {
            request_animation_frame(move || {
                if let Some(h) = heading_ref.get_untracked() {
                    let _ = h.focus();
                }
            });
        } else if error.with(|e| e.as_ref().is_some_and(|e| e.is_about("email"))) {
            if let Some(input) = email_ref.get_untracked() {
                let _ = input.focus();
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        send.dispatch(PasswordResetRequest {
            email: email.get_untracked().trim().to_string(),
        });
    };

    view! {
        <PageTitle text="Reset your password" />
        <main id="main" class="centered-page">
            <div class="card card--narrow centered-page__card">
                <p class="brand brand--centered">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">"Billing portal"</span>
                </p>
                <h1 class="page__title" tabindex="-1" node_ref=heading_ref>
                    {move || if sent.with(Option::is_some) { "Check your email" } else { "Reset your password" }}
                </h1>
                {move || match sent.get() {
                    Some((address, PasswordResetRequested { valid_minutes })) => {
                        view! {
                            <div role="status">
                                <p>{sent_message(&address, valid_minutes)}</p>
                                <p class="muted">
                                    "Nothing there? Check your spam folder, or ask again in a few minutes."
                                </p>
                            </div>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <p class="muted">
                                "Enter the email address you sign in with, and we'll send you a link to choose a new password."
                            </p>
                            {move || {
                                form_error()
                                    .map(|message| {
                                        view! {
                                            <p class="banner banner--error" role="alert">
                                                {message}
                                            </p>
                                        }
                                    })
                            }}
                            <form class="form" novalidate on:submit=on_submit>
                                <TextField
                                    id="email"
                                    label="Email"
                                    kind="email"
                                    autocomplete="username"
                                    value=email
                                    error=Signal::derive(email_error)
                                    node_ref=email_ref
                                />
                                <button
                                    type="submit"
                                    class="button button--primary button--block"
                                    disabled=move || pending.get()
                                >
                                    {move || if pending.get() { "Sending…" } else { "Send reset link" }}
                                </button>
                            </form>
                        }
                            .into_any()
                    }
                }}
                <p class="centered-page__links">
                    <a href="/sign-in">"Back to sign in"</a>
                </p>
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::sent_message;

    #[test]
    fn the_confirmation_never_says_whether_the_account_exists() {
        let text = sent_message("olivia@acme.test", 60);
        assert!(text.starts_with("If an account uses olivia@acme.test,"));
        assert!(text.ends_with("for 60 minutes."));
    }
}
