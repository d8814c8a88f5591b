//! The cancel wizard's "Pause instead?" step: pause for the catalog's pause
//! price a month, keeping data, credits and history, and resume any time; or
//! continue cancelling in one click.

use crate::api::cancel as cancel_api;
use crate::format;
use crate::pages::cancel_page::{
    kept_path, use_cancel_wizard, CancelStepFrame, KeepSubscriptionLink, Outcome, Step,
    StepRedirect,
};
use billing_domain::wire::WizardStepRequest;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// `/billing/cancel/:session/pause`.
#[component]
pub fn CancelPausePage() -> impl IntoView {
    let wizard = use_cancel_wizard();
    // A finished run shows its steps' frame, which says it is over.
    let has_reason = wizard.finished() || wizard.session().with_untracked(|s| s.reason.is_some());
    if !has_reason {
        return view! { <StepRedirect step=Step::Reason /> }.into_any();
    }
    if (wizard.paused() || wizard.contract()) && !wizard.finished() {
        return view! { <StepRedirect step=wizard.next(Step::Pause) /> }.into_any();
    }
    view! { <PauseStep /> }.into_any()
}

#[component]
fn PauseStep() -> impl IntoView {
    let wizard = use_cancel_wizard();
    let navigate = use_navigate();
    // The pause price as the catalog sells it.
    let price = format::short_price(wizard.catalog().pause_price);
    let price_for_outcome = price.clone();

    let pause = Action::new_local(move |_: &()| {
        let body = WizardStepRequest {
            session_id: Some(wizard.id()),
            note: None,
        };
        async move { cancel_api::pause_subscription(&body).await }
    });
    let pending = pause.pending();
    let error = move || match pause.value().get() {
        Some(Err(e)) if !pending.get() => Some(e.message),
        _ => None,
    };
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if let Some(Ok(_)) = pause.value().get() {
                wizard.kept(&Outcome {
                    title: "Your subscription is paused".into(),
                    message: format!(
                        "You pay {price_for_outcome} a month from the end of the current billing period. Your data, credits and history are kept, and you can resume any time on Plans & Billing."
                    ),
                });
                navigate(&kept_path(&wizard.id()), NavigateOptions::default());
            }
        });
    }
    let next = wizard.path(wizard.next(Step::Pause));

    view! {
        <CancelStepFrame step=Step::Pause heading="Pause instead?">
            <p class="page__lead">
                {format!(
                    "If you need a break rather than a goodbye, pause for {price} a month and pick up where you left off."
                )}
            </p>
            <ul class="benefit-list">
                <li>{format!("{price} a month while paused, from the end of the current billing period")}</li>
                <li>"Keep your data, credits and history"</li>
                <li>"Resume any time from Plans & Billing"</li>
            </ul>
            {move || {
                error()
                    .map(|message| {
                        view! {
                            <p class="banner banner--error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
            <div class="wizard__actions">
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || pending.get()
                    on:click=move |_| navigate(&next, NavigateOptions::default())
                >
                    "Continue cancellation"
                </button>
                <button
                    type="button"
                    class="button button--secondary"
                    disabled=move || pending.get()
                    on:click=move |_| {
                        if !pending.get_untracked() {
                            pause.dispatch(());
                        }
                    }
                >
                    {move || if pending.get() { "Pausing…" } else { "Pause subscription" }}
                </button>
                <KeepSubscriptionLink />
            </div>
        </CancelStepFrame>
    }
}
