//! The editor's model: the user's change as a draft over the terms, the
//! request that prices it, the annual saving, and the debouncing that keeps
//! only the newest preview.

use billing_domain::change::{ChangeRequest, Terms};
use billing_domain::wire::{BillingOverview, CatalogView, SubscriptionPreview};
use billing_domain::{AddOnId, Interval, Money, PlanId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long the user may pause between edits before the preview is asked
/// for: fast typing or clicking costs one request, not one per keystroke.
const PREVIEW_DELAY: Duration = Duration::from_millis(300);
/// Editing, or reviewing a preview before confirming it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Edit,
    Review(Box<SubscriptionPreview>),
}

/// The terms as they will be at the renewal if nothing changes: pending
/// changes count as already asked for, as the API counts them.
pub(super) fn effective_terms(overview: &BillingOverview) -> Terms {
    Terms::new(
        overview.plan,
        overview.pending.interval.unwrap_or(overview.interval),
        overview.pending.seats.unwrap_or(overview.seats.purchased),
        overview.add_ons.clone(),
    )
}

/// The request for `terms`: every field, so what is priced is exactly what
/// the user sees chosen.
pub(super) fn change_request(terms: &Terms) -> ChangeRequest {
    ChangeRequest {
        plan: Some(terms.plan),
        interval: Some(terms.interval),
        seats: Some(terms.seats),
        add_ons: Some(terms.add_ons.clone()),
        proration_date: None,
    }
}

/// The interval to bill `plan` at when the user picks it: the one chosen
/// so far if the catalog sells the plan at it, else the first it is sold at
/// (Premium: annual). The API refuses any other combination with
/// `not_sold`, which is shown under the interval all the same.
pub(super) fn interval_for(catalog: &CatalogView, plan: PlanId, chosen: Interval) -> Interval {
    match catalog.plan(plan) {
        Some(p) if p.price(chosen).is_none() => p.intervals().next().unwrap_or(chosen),
        _ => chosen,
    }
}

/// The annual saving in whole percent: what a year costs billed monthly
/// against billed annually. `None` when annual billing saves nothing.
pub(super) fn saving_percent(month_price: Money, year_price: Money) -> Option<u32> {
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
pub(super) struct Draft {
    pub(super) base: Terms,
    pub(super) wanted: Terms,
}

impl Draft {
    /// The change applied to `current`: each field (and each add-on) the
    /// user changed from `base` as they chose it, the rest as it is now.
    pub(super) fn rebase(&self, current: &Terms) -> Terms {
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
pub(super) fn edit_draft(
    draft: RwSignal<Option<Draft>>,
    current: &Terms,
    edit: impl FnOnce(&mut Terms),
) {
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
pub(super) struct Debounced {
    ticket: StoredValue<u64>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Debounced {
    pub(super) fn new() -> Self {
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
    pub(super) fn cancel(&self) -> u64 {
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
    pub(super) fn run<F, Fut>(&self, task: F)
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
    fn a_plan_is_billed_at_an_interval_the_catalog_sells_it_at() {
        let catalog = crate::state::catalog::testing::demo_catalog();
        assert_eq!(
            interval_for(&catalog, PlanId::Premium, Interval::Month),
            Interval::Year
        );
        assert_eq!(
            interval_for(&catalog, PlanId::Business, Interval::Month),
            Interval::Month
        );
        assert_eq!(
            interval_for(&catalog, PlanId::Essentials, Interval::Year),
            Interval::Year
        );
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
