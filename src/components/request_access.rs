//! A member without billing access asks the owner for it, with an
//! optional note; or sees that their request is pending.

use crate::api::members as api;
use crate::api::ApiError;
use crate::components::loading_region::LoadingRegion;
use crate::format;
use billing_domain::wire::AccessRequest;
use chrono::{DateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The longest note the API accepts.
const MAX_NOTE: usize = 500;

/// Where the member's request stands.
#[derive(Debug, Clone, PartialEq)]
enum Asked {
    /// No open request: the form.
    NotYet,
    /// An open request, sent on this date if known.
    Pending(Option<DateTime<Utc>>),
    /// Sent just now.
    Sent,
}

/// "Request billing access": the form, or where the request stands. Reads
/// `GET /api/access-requests/mine` first, so a pending request is not
/// asked twice.
#[component]
pub fn RequestAccess() -> impl IntoView {
    let mine = LocalResource::new(api::my_access_request);
    // Set by the form; wins over what `mine` said when the page loaded.
    let asked = RwSignal::new(None::<Asked>);

    view! {
        <section class="request-access" aria-labelledby="request-access-heading">
            <h3 class="request-access__title" id="request-access-heading">
                "Ask the owner for access"
            </h3>
            <LoadingRegion
                label="Checking for a pending request…"
                error_title="We couldn't check for a pending request"
                on_retry=Callback::new(move |_| mine.refetch())
            >
                {move || Suspend::new(async move {
                    mine.await
                        .map(|list| {
                            let loaded = match list.data.first() {
                                Some(request) => Asked::Pending(Some(request.created_at)),
                                None => Asked::NotYet,
                            };
                            view! { <RequestAccessState loaded asked /> }
                        })
                })}
            </LoadingRegion>
        </section>
    }
}

/// The form or the request's state.
#[component]
fn RequestAccessState(loaded: Asked, asked: RwSignal<Option<Asked>>) -> impl IntoView {
    let state = Memo::new(move |_| asked.get().unwrap_or_else(|| loaded.clone()));
    let status = move || match state.get() {
        Asked::NotYet => None,
        Asked::Sent => Some(
            view! {
                <p class="banner banner--success">
                    "Request sent. We'll email you when the owner decides."
                </p>
            }
            .into_any(),
        ),
        Asked::Pending(at) => Some(
            view! {
                <p class="request-access__pending">
                    <span class="badge badge--paused">"Pending"</span>
                    " Your request is pending with the owner."
                    {at.map(|at| format!(" You sent it on {}.", format::date(at)))}
                </p>
            }
            .into_any(),
        ),
    };
    view! {
        <div class="form-outcome" role="status" aria-live="polite">
            {status}
        </div>
        {move || (state.get() == Asked::NotYet).then(|| view! { <RequestAccessForm asked /> })}
    }
}

/// The note and "Request billing access".
#[component]
fn RequestAccessForm(asked: RwSignal<Option<Asked>>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let send = Action::new_local(move |note: &Option<String>| {
        let note = note.clone();
        async move { api::request_access(note).await }
    });
    let pending = send.pending();
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| match send.value().get() {
        Some(Ok(AccessRequest { .. })) => asked.set(Some(Asked::Sent)),
        Some(Err(e)) if e.code == "access_request_pending" => asked.set(Some(Asked::Pending(None))),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let note_error = move || error.get().and_then(|e| e.message_for("note"));
    let form_error = move || error.get().and_then(|e| e.message_except(&["note"]));
    let too_long = move || note.with(|n| n.chars().count() > MAX_NOTE);
    let counter = move || {
        format!(
            "{} of {MAX_NOTE} characters",
            note.with(|n| n.chars().count())
        )
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        error.set(None);
        if too_long() {
            error.set(Some(ApiError {
                status: None,
                kind: "invalid_request_error".into(),
                code: "too_long".into(),
                message: format!("The note can be at most {MAX_NOTE} characters."),
                param: Some("note".into()),
                retry_after: None,
            }));
            return;
        }
        let text = note.get_untracked().trim().to_string();
        send.dispatch((!text.is_empty()).then_some(text));
    };

    view! {
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
        <form class="form request-access__form" novalidate on:submit=on_submit>
            <div class="field">
                <label class="field__label" for="access-note">
                    "Note to the owner"
                </label>
                <textarea
                    id="access-note"
                    name="note"
                    class="input request-access__note"
                    rows="3"
                    placeholder="For example: I reconcile our invoices each month."
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                    aria-invalid=move || (note_error().is_some() || too_long()).then_some("true")
                    aria-describedby=move || {
                        if note_error().is_some() {
                            "access-note-hint access-note-error"
                        } else {
                            "access-note-hint"
                        }
                    }
                ></textarea>
                <p class="field__hint" id="access-note-hint">
                    "Optional. Say what you need billing for. "
                    <span class:field__hint--over=too_long>{counter}</span>
                </p>
                {move || {
                    note_error()
                        .map(|message| {
                            view! {
                                <p class="field__error" id="access-note-error">
                                    {message}
                                </p>
                            }
                        })
                }}
            </div>
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Sending…" } else { "Request billing access" }}
                </button>
            </div>
        </form>
    }
}
