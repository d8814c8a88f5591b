//! The frames the wizard's screens share: a step (progress, heading,
//! content), a result screen, and the ways out ("Keep my subscription",
//! redirects).

use super::wizard::{replace, use_cancel_wizard, Step, BILLING_PATH};
use crate::components::cancel_stepper::CancelStepper;
use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The frame of one step: progress, the heading (focused on arrival, so
/// screen readers start at the new step) and the step's content; for a
/// finished run, a note that it is over instead.
#[component]
pub fn CancelStepFrame(
    /// Which step this is.
    step: Step,
    /// The step's heading.
    heading: &'static str,
    /// The step's content and actions.
    children: Children,
) -> impl IntoView {
    let wizard = use_cancel_wizard();
    let heading_ref = NodeRef::<leptos::html::H1>::new();
    focus_on_arrival(heading_ref);
    let stepper = move || {
        let steps = wizard.steps();
        let current = steps.iter().position(|s| *s == step).unwrap_or(0);
        let names = steps.into_iter().map(Step::name).collect::<Vec<_>>();
        view! { <CancelStepper steps=names current /> }
    };
    let body = if wizard.finished() {
        view! { <RunFinished /> }.into_any()
    } else {
        children().into_any()
    };
    view! {
        <PageTitle text=heading />
        <p class="wizard__eyebrow">"Cancel your subscription"</p>
        {stepper}
        <section class="card wizard__card" aria-labelledby="cancel-step-heading">
            <h1 class="page__title" id="cancel-step-heading" tabindex="-1" node_ref=heading_ref>
                {heading}
            </h1>
            {body}
        </section>
    }
}

/// A finished run's steps: nothing more to do here.
#[component]
fn RunFinished() -> impl IntoView {
    view! {
        <p>"This cancellation is already finished: it was completed, or an offer was accepted."</p>
        <div class="wizard__actions">
            <a class="button button--primary" href=BILLING_PATH>
                "Back to Plans & Billing"
            </a>
        </div>
    }
}

/// The frame of a screen that ends a run (cancelled, or kept): a success
/// mark, the heading (focused on arrival), what happened, and the way back.
#[component]
pub fn CancelResultFrame(
    /// The heading.
    #[prop(into)]
    heading: String,
    /// What happened, and anything else to say.
    children: Children,
) -> impl IntoView {
    let heading_ref = NodeRef::<leptos::html::H1>::new();
    focus_on_arrival(heading_ref);
    view! {
        <PageTitle text=heading.clone() />
        <div class="page wizard">
            <section class="card wizard__card wizard__card--result" aria-labelledby="cancel-result-heading">
                <span class="wizard__result-mark" aria-hidden="true">
                    "✓"
                </span>
                <h1 class="page__title" id="cancel-result-heading" tabindex="-1" node_ref=heading_ref>
                    {heading}
                </h1>
                {children()}
                <div class="wizard__actions">
                    <a class="button button--primary" href=BILLING_PATH>
                        "Back to Plans & Billing"
                    </a>
                </div>
            </section>
        </div>
    }
}

/// Moves the focus to `heading` once it is in the page, so a screen reader
/// starts reading the new screen from its heading.
fn focus_on_arrival(heading: NodeRef<leptos::html::H1>) {
    Effect::new(move |_| {
        if heading.get().is_some() {
            // The element may be built before it is attached (inside a
            // <Transition>); focus it on the next frame, once it is.
            request_animation_frame(move || {
                if let Some(h1) = heading.get_untracked() {
                    let _ = h1.focus();
                }
            });
        }
    });
}

/// "Keep my subscription": the way out of every step, back to Plans &
/// Billing with nothing changed.
#[component]
pub fn KeepSubscriptionLink() -> impl IntoView {
    view! {
        <a class="button button--secondary" href=BILLING_PATH>
            "Keep my subscription"
        </a>
    }
}

/// Redirects a step that doesn't apply to this run to `step` (e.g. the
/// offers of a reason without offers), replacing it in the history.
#[component]
pub fn StepRedirect(
    /// Where to go instead.
    step: Step,
) -> impl IntoView {
    let wizard = use_cancel_wizard();
    view! { <Redirect path=wizard.path(step) options=replace() /> }
}
