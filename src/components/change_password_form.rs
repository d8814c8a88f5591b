//! Changing the password: the current one, the new one twice. Success signs
//! out every other session, and says how many.

use crate::api::{self, ApiError};
use crate::components::announcement::{Announcement, AnnouncementRegion};
use crate::components::text_field::TextField;
use crate::state::session::use_session;
use billing_domain::password::{check_new_password, MAX_CHARS, MIN_CHARS};
use billing_domain::wire::ChangePasswordRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The messages beside each field.
#[derive(Debug, Clone, Default, PartialEq)]
struct FieldErrors {
    current: Option<String>,
    new: Option<String>,
    confirm: Option<String>,
}

/// What the form says after a success.
pub fn changed_message(sessions_ended: u64) -> String {
    match sessions_ended {
        0 => "Your password was changed.".to_string(),
        1 => "Your password was changed, and your 1 other session was signed out.".to_string(),
        n => format!("Your password was changed, and your {n} other sessions were signed out."),
    }
}

/// The hint under the new password.
pub fn new_password_hint() -> String {
    format!(
        "At least {MIN_CHARS} characters (at most {MAX_CHARS}). A few unrelated words make a strong password that is easy to remember."
    )
}

/// The form (`POST /api/session/password`).
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let announcement = RwSignal::new(None::<Announcement>);
    let current_ref = NodeRef::<leptos::html::Input>::new();
    let new_ref = NodeRef::<leptos::html::Input>::new();
    let confirm_ref = NodeRef::<leptos::html::Input>::new();

    let change = Action::new_local(move |request: &ChangePasswordRequest| {
        let request = request.clone();
        async move { api::security::change_password(&request).await }
    });
    let pending = change.pending();

    // Puts the cursor on the first field at fault, so its message is read out.
    let focus_first_error = move |e: &FieldErrors| {
        let target = if e.current.is_some() {
            current_ref.get_untracked()
        } else if e.new.is_some() {
            new_ref.get_untracked()
        } else if e.confirm.is_some() {
            confirm_ref.get_untracked()
        } else {
            None
        };
        if let Some(input) = target {
            let _ = input.focus();
        }
    };

    Effect::new(move |_| match change.value().get() {
        Some(Ok(ended)) => {
            current.set(String::new());
            new.set(String::new());
            confirm.set(String::new());
            errors.set(FieldErrors::default());
            announcement.set(Some(Announcement::Done(changed_message(
                ended.sessions_ended,
            ))));
        }
        Some(Err(e)) => show_error(e, errors, announcement, focus_first_error),
        None => {}
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        announcement.set(None);
        let email = session
            .with_untracked(|s| s.info().map(|i| i.user.email.clone()))
            .unwrap_or_default();
        let mut found = FieldErrors::default();
        if current.with_untracked(String::is_empty) {
            found.current = Some("Enter your current password.".into());
        }
        if let Err(problem) = new.with_untracked(|n| check_new_password(n, &email)) {
            found.new = Some(problem.to_string());
        } else if new.get_untracked() != confirm.get_untracked() {
            found.confirm = Some("The two new passwords are not the same.".into());
        }
        if found != FieldErrors::default() {
            focus_first_error(&found);
            errors.set(found);
            return;
        }
        errors.set(FieldErrors::default());
        change.dispatch(ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
    };

    view! {
        <form class="form" novalidate on:submit=on_submit aria-labelledby="password-heading">
            <TextField
                id="current-password"
                label="Current password"
                kind="password"
                autocomplete="current-password"
                value=current
                error=Signal::derive(move || errors.with(|e| e.current.clone()))
                node_ref=current_ref
            />
            <TextField
                id="new-password"
                label="New password"
                kind="password"
                autocomplete="new-password"
                value=new
                error=Signal::derive(move || errors.with(|e| e.new.clone()))
                hint=new_password_hint()
                node_ref=new_ref
            />
            <TextField
                id="confirm-password"
                label="New password again"
                kind="password"
                autocomplete="new-password"
                value=confirm
                error=Signal::derive(move || errors.with(|e| e.confirm.clone()))
                node_ref=confirm_ref
            />
            <p class="muted">"Changing it signs you out everywhere else."</p>
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Changing password…" } else { "Change password" }}
                </button>
            </div>
            <AnnouncementRegion announcement />
        </form>
    }
}

/// A refusal: beside the field the API named, else for the whole form.
fn show_error(
    e: ApiError,
    errors: RwSignal<FieldErrors>,
    announcement: RwSignal<Option<Announcement>>,
    focus_first_error: impl Fn(&FieldErrors),
) {
    let mut found = FieldErrors::default();
    if e.is_about("current_password") {
        found.current = Some(e.message);
    } else if e.is_about("new_password") {
        found.new = Some(e.message);
    } else {
        announcement.set(Some(Announcement::Failed(e.message)));
        errors.set(found);
        return;
    }
    focus_first_error(&found);
    errors.set(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_success_says_how_many_sessions_were_signed_out() {
        assert_eq!(changed_message(0), "Your password was changed.");
        assert!(changed_message(1).ends_with("your 1 other session was signed out."));
        assert!(changed_message(3).ends_with("your 3 other sessions were signed out."));
        assert!(new_password_hint().starts_with("At least 12 characters"));
    }
}
