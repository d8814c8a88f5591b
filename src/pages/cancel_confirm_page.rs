//! The cancel wizard's last step, "Confirm cancellation": type `CONFIRM`
//! exactly and press "Cancel subscription". Only then does anything change;
//! any other word (lower case too) is the API's error, shown at the field.

use crate::api::cancel as cancel_api;
use crate::format;
use crate::pages::cancel_page::{
    done_path, replace, use_cancel_wizard, CancelStepFrame, KeepSubscriptionLink, Step,
    StepRedirect,
};
use billing_domain::cancel_flow::CONFIRM_WORD;
use billing_domain::wire::CancelRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// `/billing/cancel/:session/confirm`.
#[component]
pub fn CancelConfirmPage() -> impl IntoView {
    let wizard = use_cancel_wizard();
    // A finished run shows its steps' frame, which says it is over.
    let has_reason = wizard.finished() || wizard.session().with_untracked(|s| s.reason.is_some());
    if !has_reason {
        return view! { <StepRedirect step=Step::Reason /> }.into_any();
    }
    if wizard.contract() && !wizard.finished() {
        return view! { <StepRedirect step=Step::CustomerSuccess /> }.into_any();
    }
    if !wizard.finished() && !wizard.all_acknowledged() {
        return view! { <StepRedirect step=Step::Consequences /> }.into_any();
    }
    view! { <ConfirmStep /> }.into_any()
}

#[component]
fn ConfirmStep() -> impl IntoView {
    let wizard = use_cancel_wizard();
    let navigate = use_navigate();
    let typed = RwSignal::new(String::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let access_ends = wizard.flow(|f| {
        f.consequences
            .iter()
            .find(|c| c.id == "access_ends")
            .and_then(|c| c.date)
    });

    let cancel = Action::new_local(move |confirmation: &String| {
        let body = CancelRequest {
            session_id: Some(wizard.id()),
            confirmation: confirmation.clone(),
            acknowledged: wizard.acknowledged().into_iter().collect(),
        };
        async move { cancel_api::cancel_subscription(&body).await }
    });
    let pending = cancel.pending();
    let error = Memo::new(move |_| match cancel.value().get() {
        Some(Err(e)) if !pending.get() => Some(e),
        _ => None,
    });
    let field_error = move || error.get().and_then(|e| e.message_for("confirmation"));
    let form_error = move || {
        error
            .get()
            .and_then(|e| e.message_except(&["confirmation"]))
    };

    Effect::new(move |_| {
        if let Some(Ok(_)) = cancel.value().get() {
            wizard.cancelled();
            // Replaced: Back from the done screen shouldn't offer a
            // confirmation that already happened.
            navigate(&done_path(&wizard.id()), replace());
        }
    });
    Effect::new(move |_| {
        if field_error().is_some() {
            if let Some(input) = input_ref.get() {
                let _ = input.focus();
                input.select();
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // One request at a time: a second press while the first is on its
        // way does nothing.
        if pending.get_untracked() {
            return;
        }
        cancel.dispatch(typed.get_untracked());
    };

    let summary = access_ends.map(|at| {
        format!(
            "Your subscription will end on {}. Until then everything keeps working, and you can resume it from Plans & Billing.",
            format::date(at)
        )
    });

    view! {
        <CancelStepFrame step=Step::Confirm heading="Confirm cancellation">
            {summary.map(|text| view! { <p class="page__lead">{text}</p> })}
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
                <div class="field confirm-field">
                    <label class="field__label" for="cancel-confirmation">
                        "Type CONFIRM to cancel"
                    </label>
                    <input
                        id="cancel-confirmation"
                        name="confirmation"
                        type="text"
                        class="input confirm-field__input"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        placeholder=CONFIRM_WORD
                        node_ref=input_ref
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))
                        aria-invalid=move || field_error().map(|_| "true")
                        aria-describedby=move || {
                            if field_error().is_some() {
                                "cancel-confirmation-hint cancel-confirmation-error"
                            } else {
                                "cancel-confirmation-hint"
                            }
                        }
                    />
                    <p class="field__hint" id="cancel-confirmation-hint">
                        "In capital letters, exactly as shown."
                    </p>
                    {move || {
                        field_error()
                            .map(|message| {
                                view! {
                                    <p class="field__error" id="cancel-confirmation-error" role="alert">
                                        {message}
                                    </p>
                                }
                            })
                    }}
                </div>
                <div class="wizard__actions">
                    <button
                        type="submit"
                        class="button button--danger"
                        disabled=move || pending.get()
                    >
                        "Cancel subscription"
                    </button>
                    <KeepSubscriptionLink />
                </div>
            </form>
        </CancelStepFrame>
    }
}
