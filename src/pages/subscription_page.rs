//! Manage subscription: plan, billing interval, seats and add-ons, each
//! edit priced live by the API's own preview; then a review step that
//! confirms exactly that preview. Billing readers see the subscription
//! read-only; users without billing access see who manages it.

use crate::api::subscription as subscription_api;
use crate::api::{self, ApiError};
use crate::components::access_changed_notice::AccessChangedNotice;
use crate::components::add_on_toggles::AddOnToggles;
use crate::components::change_preview::{change_outcome, ChangePreview, PreviewState};
use crate::components::change_review::ChangeReview;
use crate::components::error_view::{errors_message, ErrorView};
use crate::components::interval_switch::IntervalSwitch;
use crate::components::loading_view::LoadingView;
use crate::components::no_billing_access::NoBillingAccess;
use crate::components::page_title::PageTitle;
use crate::components::plan_chooser::PlanChooser;
use crate::components::seat_stepper::SeatStepper;
use crate::components::subscription_summary::SubscriptionSummary;
use crate::focus::focus_after_render;
use crate::state::access_change::{provide_access_change, use_access_watch, AccessWatch};
use crate::state::session::use_session;
use billing_domain::change::{ChangeRequest, Terms};
use billing_domain::wire::{BillingOverview, SubscriptionChangeResult, SubscriptionPreview};
use billing_domain::{AddOnId, Interval, Money, Permission, PlanId, SubscriptionStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long the user may pause between edits before the preview is asked
/// for: fast typing or clicking costs one request, not one per keystroke.
const PREVIEW_DELAY: Duration = Duration::from_millis(300);

/// `/billing/subscription`.
#[component]
pub fn SubscriptionPage() -> impl IntoView {
    provide_access_change();
    let session = use_session();
    let can_read = Memo::new(move |_| session.with(|s| s.can(Permission::BillingRead)));
    let account_name = Signal::derive(move || {
        session.with(|s| {
            s.info()
                .map(|info| info.account.name.clone())
                .unwrap_or_default()
        })
    });

    view! {
        <PageTitle text="Manage subscription" />
        <div class="page">
            <a class="back-link" href="/billing">
                <span aria-hidden="true">"← "</span>
                "Back to Plans & Billing"
            </a>
            <header class="page__header">
                <h1 class="page__title">"Manage subscription"</h1>
                <p class="page__lead">
                    "Change your plan, billing interval, seats and add-ons. You'll see exactly what it costs before anything changes."
                </p>
            </header>
            <AccessChangedNotice />
            {move || {
                if can_read.get() {
                    view! { <SubscriptionSection account_name /> }.into_any()
                } else {
                    view! { <NoBillingAccess account_name /> }.into_any()
                }
            }}
        </div>
    }
}

/// What the last confirmation did. Kept above the editor, which is rebuilt
/// when the overview is read again after it.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// The change was made; the sentence says what was charged or credited.
    Updated(String),
    /// Someone else changed the subscription first (412); nothing changed.
    Conflict,
}

/// The overview (`GET /api/billing/overview`), then the editor for users
/// who may change the subscription or the summary for those who may not.
#[component]
fn SubscriptionSection(account_name: Signal<String>) -> impl IntoView {
    let session = use_session();
    let can_manage = Memo::new(move |_| session.with(|s| s.can(Permission::BillingManage)));
    let overview = LocalResource::new(api::billing_overview);
    use_access_watch().resource(overview);
    let (pending, set_pending) = signal(false);
    // The user's change and the last outcome outlive the editor: after a
    // conflict the change is priced again against the new figures.
    let draft = RwSignal::new(None::<Draft>);
    let outcome = RwSignal::new(None::<Outcome>);
    let reload = Callback::new(move |_| overview.refetch());

    view! {
        <div class="form-outcome" role="status" aria-live="polite">
            {move || match outcome.get() {
                Some(Outcome::Updated(message)) => {
                    Some(
                        view! {
                            <div class="banner banner--success" id="change-outcome" tabindex="-1">
                                <p class="banner__title">{message}</p>
                            </div>
                        },
                    )
                }
                _ => None,
            }}
        </div>
        {move || {
            (outcome.get() == Some(Outcome::Conflict))
                .then(|| {
                    view! {
                        <div class="banner banner--error" role="alert" id="change-outcome" tabindex="-1">
                            <p class="banner__title">
                                "The subscription changed since you opened this page."
                            </p>
                            <p>
                                "Someone else changed it first, so nothing was changed. The latest figures are loaded: check your change and confirm again."
                            </p>
                        </div>
                    }
                })
        }}
        <div aria-busy=move || pending.get().to_string()>
            <Transition
                fallback=|| view! { <LoadingView label="Loading your subscription…" cards=2 /> }
                set_pending
            >
                <ErrorBoundary fallback=move |errors| {
                    view! {
                        <ErrorView
                            title="We couldn't load your subscription"
                            message=Signal::derive(move || errors_message(&errors.read()))
                            on_retry=Callback::new(move |_| overview.refetch())
                        />
                    }
                }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(overview) => {
                                Ok(
                                    view! {
                                        {move || {
                                            let overview = overview.clone();
                                            if !can_manage.get() {
                                                view! { <SubscriptionSummary overview /> }.into_any()
                                            } else if overview.status != SubscriptionStatus::Active {
                                                view! { <NotChangeable status=overview.status /> }.into_any()
                                            } else {
                                                view! { <SubscriptionEditor overview draft outcome reload /> }
                                                    .into_any()
                                            }
                                        }}
                                    }
                                        .into_any(),
                                )
                            }
                            Err(e) if e.is_forbidden() => {
                                Ok(view! { <NoBillingAccess account_name /> }.into_any())
                            }
                            Err(e) => Err(e),
                        }
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

/// Why a subscription that is not active can't be changed, and what to do.
#[component]
fn NotChangeable(status: SubscriptionStatus) -> impl IntoView {
    let (reason, href, action) = match status {
        SubscriptionStatus::PastDue | SubscriptionStatus::Deactivated | SubscriptionStatus::Frozen => (
            "Pay what is due by updating the payment method first; then you can change the plan, seats and add-ons.",
            "/billing/payment",
            "Update payment method",
        ),
        SubscriptionStatus::Canceled | SubscriptionStatus::Deleted => (
            "It has ended. Reactivate it from Plans & Billing to change it.",
            "/billing",
            "Go to Plans & Billing",
        ),
        _ => (
            "Resume it on Plans & Billing first; then you can change the plan, seats and add-ons.",
            "/billing",
            "Go to Plans & Billing",
        ),
    };
    view! {
        <section class="card card--notice" aria-labelledby="not-changeable-heading">
            <h2 class="card__title" id="not-changeable-heading">
                "Your subscription can't be changed right now"
            </h2>
            <p>{format!("It is {}. {reason}", status.label().to_lowercase())}</p>
            <p>
                <a class="button button--secondary" href=href>
                    {action}
                </a>
            </p>
        </section>
    }
}

/// Editing, or reviewing a preview before confirming it.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Edit,
    Review(Box<SubscriptionPreview>),
}

/// The terms as they will be at the renewal if nothing changes: pending
/// changes count as already asked for, as the API counts them.
fn effective_terms(overview: &BillingOverview) -> Terms {
    Terms::new(
        overview.plan,
        overview.pending.interval.unwrap_or(overview.interval),
        overview.pending.seats.unwrap_or(overview.seats.purchased),
        overview.add_ons.clone(),
    )
}

/// The request for `terms`: every field, so what is priced is exactly what
/// the user sees chosen.
fn change_request(terms: &Terms) -> ChangeRequest {
    ChangeRequest {
        plan: Some(terms.plan),
        interval: Some(terms.interval),
        seats: Some(terms.seats),
        add_ons: Some(terms.add_ons.clone()),
        proration_date: None,
    }
}

/// Whether a plan is sold with monthly billing. The catalog sells Premium
/// only as an annual contract; the API refuses any other combination with
/// `not_sold`, which is shown under the interval all the same.
fn sold_monthly(plan: PlanId) -> bool {
    plan != PlanId::Premium
}

/// The annual saving in whole percent: what a year costs billed monthly
/// against billed annually. `None` when annual billing saves nothing.
fn saving_percent(month_price: Money, year_price: Money) -> Option<u32> {
    let twelve_months = month_price.amount().checked_mul(12)?;
    let saved = twelve_months.checked_sub(year_price.amount())?;
    if twelve_months <= 0 || saved <= 0 {
        return None;
    }
    let percent = (saved.checked_mul(100)? + twelve_months / 2) / twelve_months;
    u32::try_from(percent).ok().filter(|p| *p > 0)
}

/// The user's change: the terms they chose, and the terms they chose them
/// from. Kept as both so that, when someone else changes the subscription
/// meanwhile, only what this user changed is asked for again.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    base: Terms,
    wanted: Terms,
}

impl Draft {
    /// The change applied to `current`: each field (and each add-on) the
    /// user changed from `base` as they chose it, the rest as it is now.
    fn rebase(&self, current: &Terms) -> Terms {
        fn pick<T: PartialEq + Copy>(base: T, wanted: T, current: T) -> T {
            if wanted != base {
                wanted
            } else {
                current
            }
        }
        let (base, wanted) = (&self.base, &self.wanted);
        let add_ons = AddOnId::ALL
            .into_iter()
            .filter(|a| {
                pick(
                    base.add_ons.contains(a),
                    wanted.add_ons.contains(a),
                    current.add_ons.contains(a),
                )
            })
            .collect();
        Terms::new(
            pick(base.plan, wanted.plan, current.plan),
            pick(base.interval, wanted.interval, current.interval),
            pick(base.seats, wanted.seats, current.seats),
            add_ons,
        )
    }
}

/// Applies `edit` to the terms the user wants. Wanting the terms as they
/// are is no change at all: the draft is dropped.
fn edit_draft(draft: RwSignal<Option<Draft>>, current: &Terms, edit: impl FnOnce(&mut Terms)) {
    let mut terms = draft
        .get_untracked()
        .map_or_else(|| current.clone(), |d| d.rebase(current));
    edit(&mut terms);
    let terms = Terms::new(terms.plan, terms.interval, terms.seats, terms.add_ons);
    draft.set((terms != *current).then(|| Draft {
        base: current.clone(),
        wanted: terms,
    }));
}

/// A cancellable, sequenced request: only the newest answer counts, so an
/// old preview arriving late never replaces a newer one.
#[derive(Clone, Copy)]
struct Debounced {
    ticket: StoredValue<u64>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Debounced {
    fn new() -> Self {
        let debounced = Debounced {
            ticket: StoredValue::new(0),
            timer: StoredValue::new(None),
        };
        on_cleanup(move || {
            debounced.cancel();
        });
        debounced
    }

    /// Forgets any request not yet answered; answers the new ticket.
    fn cancel(&self) -> u64 {
        if let Some(Some(handle)) = self.timer.try_get_value() {
            handle.clear();
        }
        self.ticket
            .try_update_value(|n| {
                *n += 1;
                *n
            })
            .unwrap_or_default()
    }

    /// Runs `task` after the delay, unless something newer comes first.
    /// `task` gets a check that says whether its answer is still wanted.
    fn run<F, Fut>(&self, task: F)
    where
        F: FnOnce(Box<dyn Fn() -> bool>) -> Fut + 'static,
        Fut: std::future::Future<Output = ()> + 'static,
    {
        let ticket = self.cancel();
        let this = *self;
        let current = Box::new(move || this.ticket.try_get_value() == Some(ticket));
        let handle =
            set_timeout_with_handle(move || spawn_local(task(current)), PREVIEW_DELAY).ok();
        let _ = self.timer.try_set_value(handle);
    }
}

/// The editor: plan, interval, seats and add-ons on the left, the live
/// preview on the right; then the review step.
#[component]
fn SubscriptionEditor(
    overview: BillingOverview,
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
    Effect::new({
        let current = current.clone();
        move |_| {
            let (plan, seats, add_ons) = saving_key.get();
            if !sold_monthly(plan) {
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
        move |plan: PlanId| {
            edit_draft(draft, &current, |t| {
                t.plan = plan;
                if !sold_monthly(plan) {
                    t.interval = Interval::Year;
                }
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
    let review = move || match step.get() {
        Step::Edit => None,
        Step::Review(reviewed) => Some(view! {
            <ChangeReview
                preview=*reviewed
                before=today.clone()
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
                        monthly_sold=Signal::derive(move || wanted.with(|t| sold_monthly(t.plan)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use billing_domain::Currency;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::parse("USD").unwrap())
    }

    #[test]
    fn the_annual_saving_compares_a_year_of_months_with_a_year() {
        // Business, 12 seats: 12 × $139 a month against 12 × $119 × 12 a year.
        assert_eq!(saving_percent(usd(166_800), usd(1_713_600)), Some(14));
        // Essentials: $89 against $79.
        assert_eq!(saving_percent(usd(8_900), usd(94_800)), Some(11));
        assert_eq!(saving_percent(usd(10_000), usd(120_000)), None);
        assert_eq!(saving_percent(usd(0), usd(0)), None);
    }

    #[test]
    fn after_a_conflict_only_the_users_own_change_is_asked_again() {
        let t =
            |plan, seats, add_ons: Vec<AddOnId>| Terms::new(plan, Interval::Month, seats, add_ons);
        let draft = Draft {
            base: t(PlanId::Business, 12, vec![AddOnId::Marketing]),
            wanted: t(
                PlanId::Business,
                13,
                vec![AddOnId::Marketing, AddOnId::SupportBot],
            ),
        };
        // Meanwhile someone removed Marketing, added Operation and went to Essentials.
        let now = t(PlanId::Essentials, 12, vec![AddOnId::Operation]);
        assert_eq!(
            draft.rebase(&now),
            t(
                PlanId::Essentials,
                13,
                vec![AddOnId::SupportBot, AddOnId::Operation]
            )
        );
        assert_eq!(draft.rebase(&draft.base), draft.wanted);
    }

    #[test]
    fn a_change_request_names_every_field() {
        let terms = Terms::new(
            PlanId::Business,
            Interval::Month,
            15,
            vec![AddOnId::Marketing, AddOnId::SupportBot],
        );
        let request = change_request(&terms);
        assert_eq!(request.plan, Some(PlanId::Business));
        assert_eq!(request.interval, Some(Interval::Month));
        assert_eq!(request.seats, Some(15));
        assert_eq!(
            request.add_ons,
            Some(vec![AddOnId::SupportBot, AddOnId::Marketing])
        );
        assert_eq!(request.proration_date, None);
    }
}
