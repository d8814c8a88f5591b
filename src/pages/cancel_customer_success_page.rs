//! The cancel wizard's end for contract plans (Premium): "Talk to your
//! Customer Success Manager", with an optional note and "Request a meeting".
//! A contract is ended together with Customer Success, so there is no
//! cancel button here.

use crate::api::cancel as cancel_api;
use crate::pages::cancel_page::{
    kept_path, use_cancel_wizard, CancelStepFrame, KeepSubscriptionLink, Outcome, Step,
    StepRedirect,
};
use billing_domain::wire::WizardStepRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// `/billing/cancel/:session/customer-success`.
#[component]
pub fn CancelCustomerSuccessPage() -> impl IntoView {
    let wizard = use_cancel_wizard();
    // A finished run shows its steps' frame, which says it is over.
    let has_reason = wizard.finished() || wizard.session().with_untracked(|s| s.reason.is_some());
    if !has_reason {
        return view! { <StepRedirect step=Step::Reason /> }.into_any();
    }
    if !wizard.contract() && !wizard.finished() {
        return view! { <StepRedirect step=wizard.next(Step::Reason) /> }.into_any();
    }
    view! { <CustomerSuccessStep /> }.into_any()
}

#[component]
fn CustomerSuccessStep() -> impl IntoView {
    let wizard = use_cancel_wizard();
    let navigate = use_navigate();
    let email = wizard.flow(|f| f.customer_success_email.clone());
    let note = RwSignal::new(String::new());
    let note_ref = NodeRef::<leptos::html::Textarea>::new();

    let request = Action::new_local(move |note: &String| {
        let note = note.trim().to_string();
        let body = WizardStepRequest {
            session_id: Some(wizard.id()),
            note: (!note.is_empty()).then_some(note),
        };
        async move { cancel_api::request_meeting(&body).await }
    });
    let pending = request.pending();
    let error = Memo::new(move |_| match request.value().get() {
        Some(Err(e)) if !pending.get() => Some(e),
        _ => None,
    });
    let note_error = move || error.get().and_then(|e| e.message_for("note"));
    let form_error = move || error.get().and_then(|e| e.message_except(&["note"]));

    {
        let email = email.clone();
        Effect::new(move |_| {
            if let Some(Ok(())) = request.value().get() {
                wizard.kept(&Outcome {
                    title: "Your Customer Success Manager will contact you".into(),
                    message: format!(
                        "We've passed on your request. Your Customer Success Manager will e-mail you from {email} to find a time and go through your contract with you."
                    ),
                });
                navigate(&kept_path(&wizard.id()), NavigateOptions::default());
            }
        });
    }
    Effect::new(move |_| {
        if note_error().is_some() {
            if let Some(textarea) = note_ref.get() {
                let _ = textarea.focus();
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            request.dispatch(note.get_untracked());
        }
    };

    view! {
        <CancelStepFrame step=Step::CustomerSuccess heading="Talk to your Customer Success Manager">
            <p class="page__lead">
                "Your plan is a contract plan, so it's ended together with your Customer Success Manager rather than here. Request a meeting and they'll get in touch to go through the end of your contract and your options."
            </p>
            <p class="muted">
                "You can also write to them directly at "
                <a href=format!("mailto:{email}")>{email.clone()}</a>
                "."
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
            <form class="form wizard__form" novalidate on:submit=on_submit>
                <div class="field">
                    <label class="field__label" for="meeting-note">
                        "Note for your Customer Success Manager (optional)"
                    </label>
                    <textarea
                        id="meeting-note"
                        class="input textarea"
                        rows="4"
                        maxlength="1000"
                        node_ref=note_ref
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                        aria-invalid=move || note_error().map(|_| "true")
                        aria-describedby=move || note_error().map(|_| "meeting-note-error")
                    ></textarea>
                    {move || {
                        note_error()
                            .map(|message| {
                                view! {
                                    <p class="field__error" id="meeting-note-error">
                                        {message}
                                    </p>
                                }
                            })
                    }}
                </div>
                <div class="wizard__actions">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Sending…" } else { "Request a meeting" }}
                    </button>
                    <KeepSubscriptionLink />
                </div>
            </form>
        </CancelStepFrame>
    }
}
