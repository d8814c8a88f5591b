//! The cancel wizard's "What happens when you cancel" step: each dated
//! consequence from the API, each to be ticked before continuing. Ticks are
//! kept for a reload.

use crate::format;
use crate::pages::cancel_page::{
    use_cancel_wizard, CancelStepFrame, KeepSubscriptionLink, Step, StepRedirect,
};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use std::collections::BTreeSet;

/// `/billing/cancel/:session/consequences`.
#[component]
pub fn CancelConsequencesPage() -> impl IntoView {
    let wizard = use_cancel_wizard();
    // A finished run shows its steps' frame, which says it is over.
    let has_reason = wizard.finished() || wizard.session().with_untracked(|s| s.reason.is_some());
    if !has_reason {
        return view! { <StepRedirect step=Step::Reason /> }.into_any();
    }
    if wizard.contract() && !wizard.finished() {
        return view! { <StepRedirect step=Step::CustomerSuccess /> }.into_any();
    }
    view! { <ConsequencesStep /> }.into_any()
}

#[component]
fn ConsequencesStep() -> impl IntoView {
    let wizard = use_cancel_wizard();
    let navigate = use_navigate();
    let consequences = wizard.flow(|f| f.consequences.clone());
    let ticked = RwSignal::new(wizard.acknowledged());
    let tried = RwSignal::new(false);

    let all_ids: Vec<String> = consequences.iter().map(|c| c.id.clone()).collect();
    let remaining = {
        let all_ids = all_ids.clone();
        Memo::new(move |_| {
            ticked.with(|done| all_ids.iter().filter(|id| !done.contains(*id)).count())
        })
    };
    let total = all_ids.len();
    let error = move || {
        (tried.get() && remaining.get() > 0).then(|| match remaining.get() {
            1 => "Tick the remaining item to continue: it is marked below.".to_string(),
            n => format!("Tick each item to continue: {n} of {total} are not ticked yet."),
        })
    };

    let set_ticked = move |id: String, on: bool| {
        ticked.update(|done: &mut BTreeSet<String>| {
            if on {
                done.insert(id);
            } else {
                done.remove(&id);
            }
        });
        wizard.set_acknowledged(&ticked.get_untracked());
    };

    let next = wizard.path(wizard.next(Step::Consequences));
    let on_continue = {
        let all_ids = all_ids.clone();
        move |_| {
            let first_missing =
                ticked.with_untracked(|done| all_ids.iter().position(|id| !done.contains(id)));
            match first_missing {
                None => navigate(&next, NavigateOptions::default()),
                Some(at) => {
                    tried.set(true);
                    focus_checkbox(&all_ids[at]);
                }
            }
        }
    };

    let items = consequences
        .into_iter()
        .map(|consequence| {
            let input_id = format!("consequence-{}", consequence.id);
            let hint_id = format!("consequence-{}-hint", consequence.id);
            let id = consequence.id.clone();
            let id_for_change = consequence.id.clone();
            let is_ticked = Memo::new(move |_| ticked.with(|done| done.contains(&id)));
            let flagged = move || tried.get() && !is_ticked.get();
            let date = consequence.date.map(|at| {
                view! {
                    <time class="consequence__date" datetime=at.to_rfc3339()>
                        {format::date(at)}
                    </time>
                }
            });
            view! {
                <li class="consequence" class:consequence--flagged=flagged>
                    <input
                        type="checkbox"
                        class="consequence__control"
                        id=input_id.clone()
                        prop:checked=move || is_ticked.get()
                        on:change=move |ev| set_ticked(id_for_change.clone(), event_target_checked(&ev))
                        aria-invalid=move || flagged().then_some("true")
                        aria-describedby=move || flagged().then(|| hint_id.clone())
                    />
                    <div class="consequence__text">
                        <label class="consequence__label" for=input_id>
                            {consequence.text}
                        </label>
                        {date}
                        {move || {
                            flagged()
                                .then(|| {
                                    view! {
                                        <p class="field__error" id=format!("consequence-{}-hint", consequence.id)>
                                            "Tick this to continue."
                                        </p>
                                    }
                                })
                        }}
                    </div>
                </li>
            }
        })
        .collect_view();

    view! {
        <CancelStepFrame step=Step::Consequences heading="What happens when you cancel">
            <p class="page__lead">
                "Please read each item and tick it to confirm you understand. Nothing has changed yet."
            </p>
            <ul class="consequence-list">{items}</ul>
            {move || {
                error()
                    .map(|message| {
                        view! {
                            <p class="field__error consequence-list__error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
            <div class="wizard__actions">
                <button type="button" class="button button--primary" on:click=on_continue>
                    "Continue cancellation"
                </button>
                <KeepSubscriptionLink />
            </div>
        </CancelStepFrame>
    }
}

/// Puts the cursor on the checkbox of consequence `id`.
fn focus_checkbox(id: &str) {
    use wasm_bindgen::JsCast;
    let element = document()
        .get_element_by_id(&format!("consequence-{id}"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
