//! Step 1 of the cancel wizard: "Why are you cancelling?", one of the
//! configured reasons (required), with a few words for "Something else".

use crate::api::cancel as cancel_api;
use crate::pages::cancel_page::{use_cancel_wizard, CancelStepFrame, KeepSubscriptionLink, Step};
use billing_domain::wire::{CancelSession, ChooseReasonRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// Shown when "Continue cancellation" is pressed with no reason chosen.
const CHOOSE_A_REASON: &str = "Choose a reason to continue.";

/// `/billing/cancel/:session/reason`.
#[component]
pub fn CancelReasonPage() -> impl IntoView {
    let wizard = use_cancel_wizard();
    let navigate = use_navigate();
    let reasons = wizard.flow(|f| f.reasons.clone());
    let (chosen, told) = wizard
        .session()
        .with_untracked(|s| (s.reason.clone(), s.reason_text.clone()));
    let selected = RwSignal::new(chosen);
    let text = RwSignal::new(told.unwrap_or_default());
    let missing_choice = RwSignal::new(false);
    let first_radio = NodeRef::<leptos::html::Input>::new();
    let text_ref = NodeRef::<leptos::html::Textarea>::new();

    let requires_text = {
        let reasons = reasons.clone();
        Memo::new(move |_| {
            selected.with(|id| {
                reasons
                    .iter()
                    .any(|r| Some(&r.id) == id.as_ref() && r.requires_text)
            })
        })
    };

    let choose = Action::new_local(move |request: &ChooseReasonRequest| {
        let request = request.clone();
        let id = wizard.id();
        async move {
            let session = cancel_api::choose_cancel_reason(&id, &request).await?;
            Ok::<(CancelSession, ChooseReasonRequest), crate::api::ApiError>((session, request))
        }
    });
    let pending = choose.pending();
    let error = Memo::new(move |_| match choose.value().get() {
        Some(Err(e)) if !pending.get() => Some(e),
        _ => None,
    });
    let text_error = move || error.get().and_then(|e| e.message_for("text"));
    let reason_error = move || {
        if missing_choice.get() {
            Some(CHOOSE_A_REASON.to_string())
        } else {
            error.get().and_then(|e| e.message_for("reason"))
        }
    };
    let form_error = move || {
        error
            .get()
            .and_then(|e| e.message_except(&["text", "reason"]))
    };

    // On to the next step once the API recorded the reason.
    Effect::new(move |_| {
        if let Some(Ok((session, request))) = choose.value().get() {
            wizard.reason_chosen(session, &request);
            navigate(
                &wizard.path(wizard.next(Step::Reason)),
                NavigateOptions::default(),
            );
        }
    });
    // The cursor goes to the field at fault, whose message it announces.
    Effect::new(move |_| {
        if text_error().is_some() {
            if let Some(textarea) = text_ref.get() {
                let _ = textarea.focus();
            }
        } else if reason_error().is_some() {
            if let Some(radio) = first_radio.get() {
                let _ = radio.focus();
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(reason) = selected.get_untracked() else {
            missing_choice.set(true);
            if let Some(radio) = first_radio.get_untracked() {
                let _ = radio.focus();
            }
            return;
        };
        let typed = text.get_untracked().trim().to_string();
        let text = (requires_text.get_untracked() && !typed.is_empty()).then_some(typed);
        choose.dispatch(ChooseReasonRequest { reason, text });
    };

    let options = reasons
        .into_iter()
        .enumerate()
        .map(|(i, reason)| {
            let input_id = format!("reason-{}", reason.id);
            let label_for = input_id.clone();
            let value = reason.id.clone();
            let id_for_check = reason.id.clone();
            let node_ref = if i == 0 { first_radio } else { NodeRef::new() };
            view! {
                <label class="choice" for=label_for>
                    <input
                        type="radio"
                        class="choice__control"
                        id=input_id
                        name="reason"
                        value=reason.id
                        node_ref=node_ref
                        prop:checked=move || {
                            selected.with(|s| s.as_deref() == Some(id_for_check.as_str()))
                        }
                        on:change=move |_| {
                            selected.set(Some(value.clone()));
                            missing_choice.set(false);
                        }
                    />
                    <span class="choice__label">{reason.label}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        <CancelStepFrame step=Step::Reason heading="Why are you cancelling?">
            <p class="page__lead">
                "Choose the reason that fits best. It helps us improve, and we'll show any options that might suit you better."
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
                <div
                    class="choice-list"
                    role="radiogroup"
                    aria-labelledby="cancel-step-heading"
                    aria-required="true"
                    aria-invalid=move || reason_error().map(|_| "true")
                    aria-describedby=move || reason_error().map(|_| "reason-error")
                >
                    {options}
                </div>
                {move || {
                    reason_error()
                        .map(|message| {
                            view! {
                                <p class="field__error" id="reason-error" role="alert">
                                    {message}
                                </p>
                            }
                        })
                }}
                {move || {
                    requires_text
                        .get()
                        .then(|| {
                            view! {
                                <div class="field">
                                    <label class="field__label" for="reason-text">
                                        "Tell us more"
                                    </label>
                                    <textarea
                                        id="reason-text"
                                        class="input textarea"
                                        rows="4"
                                        maxlength="1000"
                                        required
                                        aria-required="true"
                                        node_ref=text_ref
                                        prop:value=move || text.get()
                                        on:input=move |ev| text.set(event_target_value(&ev))
                                        aria-invalid=move || text_error().map(|_| "true")
                                        aria-describedby=move || {
                                            text_error().map(|_| "reason-text-error")
                                        }
                                    ></textarea>
                                    {move || {
                                        text_error()
                                            .map(|message| {
                                                view! {
                                                    <p class="field__error" id="reason-text-error">
                                                        {message}
                                                    </p>
                                                }
                                            })
                                    }}
                                </div>
                            }
                        })
                }}
                <div class="wizard__actions">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        "Continue cancellation"
                    </button>
                    <KeepSubscriptionLink />
                </div>
            </form>
        </CancelStepFrame>
    }
}
