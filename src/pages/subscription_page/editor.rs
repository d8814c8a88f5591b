//! The editor of Manage subscription: plan, interval, seats and add-ons,
//! each edit priced live by the API's preview; then the review step that
//! confirms exactly that preview.

use super::draft::{
    change_request, edit_draft, effective_terms, interval_for, saving_percent, Debounced, Draft,
    Step,
};
use super::Outcome;
use crate::api::subscription as subscription_api;
use crate::api::ApiError;
use crate::components::add_on_toggles::AddOnToggles;
use crate::components::change_preview::{change_outcome, ChangePreview, PreviewState};
use crate::components::change_review::ChangeReview;
use crate::components::interval_switch::IntervalSwitch;
use crate::components::plan_chooser::PlanChooser;
use crate::components::seat_stepper::SeatStepper;
use crate::focus::focus_after_render;
use crate::state::access_change::{use_access_watch, AccessWatch};
use crate::state::catalog::Catalog;
use billing_domain::change::{ChangeRequest, Terms};
use billing_domain::wire::{BillingOverview, SubscriptionChangeResult};
use billing_domain::{AddOnId, Interval, Money, PlanId};
use leptos::prelude::*;

/// The editor: plan, interval, seats and add-ons on the left, the live
/// preview on the right; then the review step.
#[component]
pub(super) fn SubscriptionEditor(
    overview: BillingOverview,
    catalog: Catalog,
    draft: RwSignal<Option<Draft>>,
    outcome: RwSignal<Option<Outcome>>,
    reload: Callback<()>,
) -> impl IntoView {
    let watch = use_access_watch();
    let current = effective_terms(&overview);
    let current_price = overview.next_charge;
    let version = overview.version;
    let wanted = Memo::new({
        let current = current.clone();
        move |_| {
            draft
                .get()
                .map_or_else(|| current.clone(), |d| d.rebase(&current))
        }
    });
    let seats_valid = RwSignal::new(true);
    let preview = RwSignal::new(PreviewState::Unchanged);
    let saving = RwSignal::new(None::<u32>);
    let step = RwSignal::new(Step::Edit);

    // The live preview of the whole change.
    let previews = Debounced::new();
    Effect::new({
        let current = current.clone();
        move |_| {
            let terms = wanted.get();
            if !seats_valid.get() {
                previews.cancel();
                preview.set(PreviewState::Invalid);
                return;
            }
            if terms == current {
                previews.cancel();
                preview.set(PreviewState::Unchanged);
                return;
            }
            preview.update(|state| {
                let last = match state {
                    PreviewState::Ready(p) | PreviewState::Loading(Some(p)) => Some(p.clone()),
                    _ => None,
                };
                *state = PreviewState::Loading(last);
            });
            let request = change_request(&terms);
            previews.run(move |still_wanted| async move {
                let answer = subscription_api::preview(&request).await;
                if still_wanted() {
                    watch.check(&answer);
                    let _ = preview.try_set(match answer {
                        Ok(p) => PreviewState::Ready(p),
                        Err(e) => PreviewState::Failed(e),
                    });
                }
            });
        }
    });

    // The annual saving for the chosen plan, seats and add-ons: the price
    // of a year billed monthly against billed annually, both as previewed.
    let savings = Debounced::new();
    let saving_key = Memo::new(move |_| wanted.with(|t| (t.plan, t.seats, t.add_ons.clone())));
    let catalog_for_saving = catalog.clone();
    Effect::new({
        let current = current.clone();
        move |_| {
            let (plan, seats, add_ons) = saving_key.get();
            let both_sold = catalog_for_saving.sells(plan, Interval::Month)
                && catalog_for_saving.sells(plan, Interval::Year);
            if !both_sold {
                savings.cancel();
                saving.set(None);
                return;
            }
            let current = current.clone();
            savings.run(move |still_wanted| async move {
                let month = Terms::new(plan, Interval::Month, seats, add_ons.clone());
                let year = Terms::new(plan, Interval::Year, seats, add_ons);
                let month_price = price_of(&month, &current, current_price, watch).await;
                let year_price = price_of(&year, &current, current_price, watch).await;
                if still_wanted() {
                    let percent = month_price
                        .zip(year_price)
                        .and_then(|(m, y)| saving_percent(m, y));
                    let _ = saving.try_set(percent);
                }
            });
        }
    });

    // Confirming sends the reviewed preview back with its proration date,
    // so the charge is exactly the one shown.
    let confirm = Action::new_local(move |request: &ChangeRequest| {
        let request = request.clone();
        async move { subscription_api::change(&request, version).await }
    });
    let confirming = confirm.pending();
    let review_error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(SubscriptionChangeResult {
            change, overview, ..
        })) => {
            outcome.set(Some(Outcome::Updated(change_outcome(
                &change,
                overview.payment_method.as_ref(),
            ))));
            step.set(Step::Edit);
            draft.set(None);
            reload.run(());
            focus_after_render("change-outcome".into());
        }
        Some(Err(e)) if e.status == Some(412) => {
            outcome.set(Some(Outcome::Conflict));
            step.set(Step::Edit);
            reload.run(());
            focus_after_render("change-outcome".into());
        }
        Some(Err(e)) => {
            // A 403 re-reads the session; the page then shows what the new
            // access allows, and says why.
            let forbidden = watch.is_forbidden(&e);
            review_error.set((!forbidden).then_some(e));
        }
        None => {}
    });

    let review_heading = NodeRef::<leptos::html::H2>::new();
    let review_button = NodeRef::<leptos::html::Button>::new();
    let on_review = move |_| {
        if let Some(ready) = preview.with_untracked(|p| p.ready().cloned()) {
            review_error.set(None);
            outcome.set(None);
            step.set(Step::Review(Box::new(ready)));
            request_animation_frame(move || {
                if let Some(heading) = review_heading.get_untracked() {
                    let _ = heading.focus();
                }
            });
        }
    };
    let on_back = Callback::new(move |_| {
        step.set(Step::Edit);
        request_animation_frame(move || {
            if let Some(button) = review_button.get_untracked() {
                let _ = button.focus();
            }
        });
    });
    let on_confirm = Callback::new(move |_| {
        if confirming.get_untracked() {
            return;
        }
        if let Step::Review(reviewed) = step.get_untracked() {
            review_error.set(None);
            let mut request = change_request(&wanted.get_untracked());
            request.proration_date = Some(reviewed.proration_date);
            confirm.dispatch(request);
        }
    });

    let on_plan = Callback::new({
        let current = current.clone();
        let catalog = catalog.clone();
        move |plan: PlanId| {
            edit_draft(draft, &current, |t| {
                t.plan = plan;
                t.interval = interval_for(&catalog, plan, t.interval);
            })
        }
    });
    let on_interval = Callback::new({
        let current = current.clone();
        move |interval: Interval| edit_draft(draft, &current, |t| t.interval = interval)
    });
    let on_seats = Callback::new({
        let current = current.clone();
        move |seats: Option<u32>| match seats {
            Some(n) => {
                seats_valid.set(true);
                edit_draft(draft, &current, |t| t.seats = n);
            }
            None => seats_valid.set(false),
        }
    });
    let on_add_on = Callback::new({
        let current = current.clone();
        move |(add_on, on): (AddOnId, bool)| {
            edit_draft(draft, &current, |t| {
                t.add_ons.retain(|a| *a != add_on);
                if on {
                    t.add_ons.push(add_on);
                }
            })
        }
    });

    let error_about =
        move |param: &'static str| Signal::derive(move || preview.with(|p| p.error_about(param)));
    let is_review = move || step.with(|s| matches!(s, Step::Review(_)));
    let can_review = move || preview.with(|p| p.ready().is_some());

    let payment_method = overview.payment_method.clone();
    // "Now" on the review is what the account has today; a pending change
    // is in the figures below it.
    let today = Terms::new(
        overview.plan,
        overview.interval,
        overview.seats.purchased,
        overview.add_ons.clone(),
    );
    let review_catalog = catalog.clone();
    let review = move || match step.get() {
        Step::Edit => None,
        Step::Review(reviewed) => Some(view! {
            <ChangeReview
                preview=*reviewed
                before=today.clone()
                catalog=review_catalog.clone()
                payment_method=payment_method.clone()
                confirming
                error=review_error
                on_confirm
                on_back
                heading_ref=review_heading
            />
        }),
    };

    view! {
        <div class="subscription-layout" hidden=is_review>
            <div class="subscription-layout__form">
                <div class="card">
                    <PlanChooser
                        catalog=catalog.clone()
                        selected=Signal::derive(move || wanted.with(|t| t.plan))
                        current=overview.plan
                        locked=overview.contract
                        on_select=on_plan
                        error=error_about("plan")
                    />
                </div>
                <div class="card">
                    <IntervalSwitch
                        selected=Signal::derive(move || wanted.with(|t| t.interval))
                        billed=overview.interval
                        period_end=overview.current_period_end
                        sold=Signal::derive({
                            let catalog = catalog.clone();
                            move || {
                                let plan = wanted.with(|t| t.plan);
                                catalog
                                    .plan(plan)
                                    .map(|p| p.intervals().collect())
                                    .unwrap_or_default()
                            }
                        })
                        plan_name=Signal::derive({
                            let catalog = catalog.clone();
                            move || catalog.plan_name(wanted.with(|t| t.plan)).to_string()
                        })
                        saving
                        on_select=on_interval
                        error=error_about("interval")
                    />
                </div>
                <div class="card">
                    <SeatStepper
                        initial=wanted.get_untracked().seats
                        purchased=overview.seats.purchased
                        holders=overview.seat_holders.clone()
                        on_change=on_seats
                        error=error_about("seats")
                    />
                </div>
                <div class="card">
                    <AddOnToggles
                        catalog=catalog.clone()
                        selected=Signal::derive(move || wanted.with(|t| t.add_ons.clone()))
                        current=overview.add_ons.clone()
                        on_toggle=on_add_on
                        error=error_about("add_ons")
                    />
                </div>
            </div>
            <aside class="subscription-layout__side" aria-label="Cost of your change">
                <ChangePreview state=preview>
                    <button
                        type="button"
                        class="button button--primary button--block"
                        node_ref=review_button
                        disabled=move || !can_review()
                        on:click=on_review
                    >
                        "Review change"
                    </button>
                </ChangePreview>
            </aside>
        </div>
        {review}
    }
}

/// The full price per period of `terms`: the overview's next charge when
/// they are the terms as they are, else a preview's renewal price. `None`
/// when the API would not sell them.
async fn price_of(
    terms: &Terms,
    current: &Terms,
    current_price: Money,
    watch: AccessWatch,
) -> Option<Money> {
    if terms == current {
        return Some(current_price);
    }
    let answer = subscription_api::preview(&change_request(terms)).await;
    watch.check(&answer);
    answer.ok().map(|p| p.next_renewal.price)
}
