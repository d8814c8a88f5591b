//! Reset password: the page an e-mailed link opens. Checks the link, then
//! takes the new password twice; afterwards the user signs in with it.

use crate::api::{self, ApiError};
use crate::components::change_password_form::new_password_hint;
use crate::components::loading_view::LoadingView;
use crate::components::page_title::PageTitle;
use crate::components::text_field::TextField;
use crate::state::session::{set_session, use_session, SessionState};
use billing_domain::password::check_new_password;
use billing_domain::wire::CompletePasswordResetRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

/// Where the page goes once the password is set.
pub const AFTER_RESET: &str = "/sign-in?reset=done";

/// `/reset-password/:token`.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let link = LocalResource::new(move || {
        let token = token.get();
        async move { api::security::password_reset_link(&token).await }
    });
    // A refusal of the link while setting the password outranks the check.
    let link_refused = RwSignal::new(None::<String>);

    view! {
        <PageTitle text="Choose a new password" />
        <main id="main" class="centered-page">
            <div class="card card--narrow centered-page__card">
                <p class="brand brand--centered">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">"Billing portal"</span>
                </p>
                <Transition fallback=|| view! { <LoadingView label="Checking your link…" /> }>
                    {move || Suspend::new(async move {
                        let checked = link.await;
                        match (link_refused.get(), checked) {
                            (None, Ok(_)) => view! { <NewPasswordForm token link_refused /> }.into_any(),
                            (Some(message), _) | (None, Err(ApiError { message, .. })) => {
                                view! { <LinkNoLongerWorks message /> }.into_any()
                            }
                        }
                    })}
                </Transition>
                <p class="centered-page__links">
                    <a href="/sign-in">"Back to sign in"</a>
                </p>
            </div>
        </main>
    }
}

/// The link expired, was used or never existed.
#[component]
fn LinkNoLongerWorks(
    /// The API's reason.
    message: String,
) -> impl IntoView {
    view! {
        <h1 class="page__title">"This link no longer works"</h1>
        <p role="alert">{message}</p>
        <p>
            <a class="button button--primary button--block" href="/forgot-password">
                "Ask for a new link"
            </a>
        </p>
    }
}

/// The new password, twice.
#[component]
fn NewPasswordForm(
    /// The link's token.
    token: Memo<String>,
    /// Set when the API refuses the link itself.
    link_refused: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let new_error = RwSignal::new(None::<String>);
    let again_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let new_ref = NodeRef::<leptos::html::Input>::new();
    let again_ref = NodeRef::<leptos::html::Input>::new();

    let set = Action::new_local(move |request: &CompletePasswordResetRequest| {
        let request = request.clone();
        async move { api::security::complete_password_reset(&token.get_untracked(), &request).await }
    });
    let pending = set.pending();
    Effect::new(move |_| match set.value().get() {
        Some(Ok(())) => {
            // Every session ended, this browser's too.
            set_session(session, SessionState::SignedOut { by_user: true });
            navigate(
                AFTER_RESET,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
        Some(Err(e)) if e.is_about("token") => link_refused.set(Some(e.message)),
        Some(Err(e)) if e.is_about("new_password") => {
            new_error.set(Some(e.message));
            if let Some(input) = new_ref.get_untracked() {
                let _ = input.focus();
            }
        }
        Some(Err(e)) => form_error.set(Some(e.message)),
        None => {}
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        form_error.set(None);
        new_error.set(None);
        again_error.set(None);
        // The e-mail is not known here: the API checks that rule.
        if let Err(problem) = new.with_untracked(|n| check_new_password(n, "")) {
            new_error.set(Some(problem.to_string()));
            if let Some(input) = new_ref.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        if new.get_untracked() != again.get_untracked() {
            again_error.set(Some("The two new passwords are not the same.".into()));
            if let Some(input) = again_ref.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        set.dispatch(CompletePasswordResetRequest {
            new_password: new.get_untracked(),
        });
    };

    view! {
        <h1 class="page__title">"Choose a new password"</h1>
        <p class="muted">"Setting it signs you out everywhere; then sign in with the new one."</p>
        {move || {
            form_error
                .get()
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
                id="new-password"
                label="New password"
                kind="password"
                autocomplete="new-password"
                value=new
                error=new_error
                hint=new_password_hint()
                node_ref=new_ref
            />
            <TextField
                id="confirm-password"
                label="New password again"
                kind="password"
                autocomplete="new-password"
                value=again
                error=again_error
                node_ref=again_ref
            />
            <button
                type="submit"
                class="button button--primary button--block"
                disabled=move || pending.get()
            >
                {move || if pending.get() { "Setting password…" } else { "Set new password" }}
            </button>
        </form>
    }
}
