//! A requested change: the request body, and its validation into the terms
//! wanted (a pending change counting as already asked for).

use crate::catalog::{AddOnId, Catalog, Interval, PlanId};
use crate::terms::{ChangeError, Terms, MAX_SEATS};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::current::Current;

/// A proposed change: each field left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub plan: Option<PlanId>,
    pub interval: Option<Interval>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub seats: Option<u32>,
    pub add_ons: Option<Vec<AddOnId>>,
    /// The moment to prorate at: pass back the preview's `proration_date`
    /// so the change charges exactly what the preview showed.
    pub proration_date: Option<DateTime<Utc>>,
}

/// The terms `request` asks for on `current`, once they are known to be
/// allowed, sold, and different from what is already so or pending.
pub(super) fn wanted_terms(
    catalog: &Catalog,
    current: &Current,
    request: &ChangeRequest,
) -> Result<Terms, ChangeError> {
    let cur = &current.terms;
    // The interval asked for, counting a pending switch as already asked.
    let effective_cur_interval = current.pending.interval.unwrap_or(cur.interval);
    let wanted = Terms::new(
        request.plan.unwrap_or(cur.plan),
        request.interval.unwrap_or(effective_cur_interval),
        request
            .seats
            .unwrap_or(current.pending.seats.unwrap_or(cur.seats)),
        request
            .add_ons
            .clone()
            .unwrap_or_else(|| cur.add_ons.clone()),
    );
    if !(1..=MAX_SEATS).contains(&wanted.seats) {
        return Err(ChangeError::SeatsOutOfRange);
    }
    if wanted.seats < current.active_users {
        return Err(ChangeError::SeatsBelowActiveUsers {
            active: current.active_users,
        });
    }
    if catalog.plan(cur.plan).contract && wanted.plan != cur.plan {
        return Err(ChangeError::ContractPlan);
    }
    // Cancelling may not be harder than buying: a plan that is not sold
    // self-serve is not bought here either (SPEC §2).
    if catalog.plan(wanted.plan).contract && wanted.plan != cur.plan {
        return Err(ChangeError::ContractPurchase(
            catalog.plan(wanted.plan).name.clone(),
        ));
    }
    for add_on in &wanted.add_ons {
        if catalog.add_on(*add_on).is_none() {
            return Err(ChangeError::UnknownAddOn(add_on.label()));
        }
    }
    if catalog
        .plan(wanted.plan)
        .seat_price_per_month(wanted.interval)
        .is_none()
    {
        return Err(ChangeError::NotSold(
            catalog.plan(wanted.plan).name.clone(),
            wanted.interval.as_str(),
        ));
    }
    let unchanged = wanted.plan == cur.plan
        && wanted.add_ons == cur.add_ons
        && wanted.seats == current.pending.seats.unwrap_or(cur.seats)
        && wanted.interval == effective_cur_interval;
    if unchanged {
        return Err(ChangeError::NothingToChange);
    }
    // Annual → monthly keeps the annual terms until the contract ends, so
    // the plan wanted must be sold annually too.
    let to_monthly = cur.interval == Interval::Year && wanted.interval == Interval::Month;
    if to_monthly
        && catalog
            .plan(wanted.plan)
            .seat_price_per_month(Interval::Year)
            .is_none()
    {
        return Err(ChangeError::NotSold(
            catalog.plan(wanted.plan).name.clone(),
            Interval::Year.as_str(),
        ));
    }
    Ok(wanted)
}
