//! Sign in: email and password, then back to where the user was going.

use crate::api::{self, ApiError};
use crate::components::page_title::PageTitle;
use crate::components::retry_countdown::{seconds_left, RetryCountdown};
use crate::components::text_field::TextField;
use crate::state::session::{set_session, use_session, SessionState};
use billing_domain::wire::SignInRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// Where to go after signing in when no (usable) `next` was given.
const DEFAULT_NEXT: &str = "/billing";

/// `/sign-in?next=/somewhere`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = Memo::new(move |_| safe_next(query.read().get("next").as_deref()));
    let just_reset = Memo::new(move |_| query.read().get("reset").as_deref() == Some("done"));

    // Signed in already, or just now: leave for `next`, replacing this page
    // in history so "Back" does not return to the form.
    Effect::new(move |_| {
        if session.with(SessionState::is_signed_in) {
            navigate(
                &next.get_untracked(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_ref = NodeRef::<leptos::html::Input>::new();
    let password_ref = NodeRef::<leptos::html::Input>::new();

    let sign_in = Action::new_local(move |request: &SignInRequest| {
        let request = request.clone();
        async move {
            let info = api::sign_in(&request).await?;
            set_session(session, SessionState::SignedIn(info));
            Ok::<(), ApiError>(())
        }
    });
    let pending = sign_in.pending();
    let error = Memo::new(move |_| sign_in.value().get().and_then(Result::err));
    let field_error =
        move |field: &'static str| move || error.get().and_then(|e| e.message_for(field));
    let email_error = field_error("email");
    let password_error = field_error("password");
    let form_error = move || {
        error
            .get()
            .and_then(|e| e.message_except(&["email", "password"]))
    };

    // Too many attempts: no new one until the wait the API named is over.
    let wait_until = RwSignal::new(None::<f64>);
    Effect::new(move |_| {
        let retry_after = error.get().and_then(|e| e.retry_after);
        if let Some(secs) = retry_after {
            wait_until.set(Some(js_sys::Date::now() + secs as f64 * 1000.0));
        }
    });
    let wait_left = seconds_left(wait_until);
    let waited = Signal::derive(move || wait_until.get().is_some());
    let waiting = move || wait_left.get().is_some();

    // Put the cursor on the field the API complained about, so its message
    // (linked by aria-describedby) is read out.
    Effect::new(move |_| {
        let target = match error.get() {
            Some(e) if e.is_about("email") => email_ref.get(),
            Some(e) if e.is_about("password") => password_ref.get(),
            _ => None,
        };
        if let Some(input) = target {
            let _ = input.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() || wait_left.get_untracked().is_some() {
            return;
        }
        wait_until.set(None);
        sign_in.dispatch(SignInRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <PageTitle text="Sign in" />
        <main id="main" class="centered-page">
            <div class="card card--narrow centered-page__card">
                <p class="brand brand--centered">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">"Billing portal"</span>
                </p>
                <h1 class="page__title">"Sign in"</h1>
                <p class="muted">"Manage your plan, seats, payment method and invoices."</p>
                <div role="status">
                    {move || {
                        (just_reset.get() && error.with(Option::is_none))
                            .then(|| {
                                view! {
                                    <p class="banner banner--success">
                                        "Your password was changed and you were signed out everywhere. Sign in with your new password."
                                    </p>
                                }
                            })
                    }}
                </div>
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
                // The API validates the fields; the browser's own checks would
                // hide its messages.
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
                    <TextField
                        id="password"
                        label="Password"
                        kind="password"
                        autocomplete="current-password"
                        value=password
                        error=Signal::derive(password_error)
                        node_ref=password_ref
                    />
                    <button
                        type="submit"
                        class="button button--primary button--block"
                        disabled=move || pending.get()
                        // Not `disabled`: focus stays on the button while it waits.
                        aria-disabled=move || waiting().then_some("true")
                        aria-describedby=move || waiting().then_some("sign-in-wait")
                    >
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                    <RetryCountdown left=wait_left waited=waited id="sign-in-wait" />
                </form>
                <p class="centered-page__links">
                    <a href="/forgot-password">"Forgot your password?"</a>
                </p>
            </div>
        </main>
    }
}

/// The `next` address if it is a path inside this app, else `/billing`.
/// Anything else (another origin, `//host`, the sign-in page itself) is
/// ignored, so a link cannot bounce a user somewhere unexpected.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with("/sign-in") =>
        {
            path.to_string()
        }
        _ => DEFAULT_NEXT.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_inside_the_app() {
        assert_eq!(safe_next(Some("/billing?tab=x")), "/billing?tab=x");
        assert_eq!(safe_next(None), "/billing");
        for outside in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "billing",
            "/sign-in",
        ] {
            assert_eq!(safe_next(Some(outside)), "/billing", "{outside}");
        }
    }
}
