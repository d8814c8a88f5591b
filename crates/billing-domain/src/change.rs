//! Subscription changes (SPEC §3): what a proposed change costs today, what
//! it credits, what waits for the renewal, and what the renewal will charge.
//!
//! [`quote`] is the one function behind both the preview and the change
//! itself, so the preview is exactly what gets charged.
//!
//! - Adding seats: charged now, prorated for the rest of the period.
//! - Removing seats: pending until the renewal (no mid-term credit); never
//!   below the number of active users.
//! - A plan or add-on change that raises the price: the prorated difference
//!   is charged now. One that lowers it: the unused difference becomes credit.
//! - Monthly → annual: a new annual period starts now, the unused month is
//!   credited. Annual → monthly: pending until the contract ends.

use crate::catalog::{AddOnId, Catalog, Interval, PlanId};
use crate::invoice::{build_invoice, InvoiceDraft, InvoiceLine, LineKind, PricingError};
use crate::money::{Money, MoneyError};
use crate::period::Period;
use crate::proration::prorate;
use crate::renewal::{
    bill_period, discount_off, next_renewal, unused_time_credit, Discount, PeriodBill, Standing,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The most seats one subscription may hold.
pub const MAX_SEATS: u32 = 10_000;

/// What a subscription is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Terms {
    pub plan: PlanId,
    pub interval: Interval,
    pub seats: u32,
    /// Sorted, no repeats.
    pub add_ons: Vec<AddOnId>,
}

impl Terms {
    /// Terms with the add-ons put in canonical order.
    pub fn new(plan: PlanId, interval: Interval, seats: u32, mut add_ons: Vec<AddOnId>) -> Terms {
        add_ons.sort();
        add_ons.dedup();
        Terms {
            plan,
            interval,
            seats,
            add_ons,
        }
    }
}

/// A proposed change: each field left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub plan: Option<PlanId>,
    pub interval: Option<Interval>,
    pub seats: Option<u32>,
    pub add_ons: Option<Vec<AddOnId>>,
    /// The moment to prorate at: pass back the preview's `proration_date`
    /// so the change charges exactly what the preview showed.
    pub proration_date: Option<DateTime<Utc>>,
}

/// Changes that wait for the renewal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pending {
    /// Seats to drop to at the renewal.
    pub seats: Option<u32>,
    /// The interval to switch to at the renewal (annual → monthly).
    pub interval: Option<Interval>,
}

impl Pending {
    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.seats.is_none() && self.interval.is_none()
    }
}

/// Why a change was refused; each names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("Nothing would change.")]
    NothingToChange,
    #[error("Seats must be between 1 and {MAX_SEATS}.")]
    SeatsOutOfRange,
    #[error("{active} people use the account, so it needs at least {active} seats.")]
    SeatsBelowActiveUsers { active: u32 },
    #[error("{0} is not sold with {1} billing.")]
    NotSold(String, &'static str),
    #[error("Contract plans are changed through your Customer Success Manager.")]
    ContractPlan,
    #[error("{0} is not available.")]
    UnknownAddOn(&'static str),
    #[error("The proration date must be within the current period and not in the future.")]
    ProrationDate,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl ChangeError {
    /// The request field at fault.
    pub fn param(&self) -> Option<&'static str> {
        match self {
            ChangeError::SeatsOutOfRange | ChangeError::SeatsBelowActiveUsers { .. } => {
                Some("seats")
            }
            ChangeError::NotSold(..) => Some("interval"),
            ChangeError::ContractPlan => Some("plan"),
            ChangeError::UnknownAddOn(_) => Some("add_ons"),
            ChangeError::ProrationDate => Some("proration_date"),
            ChangeError::NothingToChange | ChangeError::Money(_) => None,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ChangeError::NothingToChange => "nothing_to_change",
            ChangeError::SeatsOutOfRange => "out_of_range",
            ChangeError::SeatsBelowActiveUsers { .. } => "seats_below_active_users",
            ChangeError::NotSold(..) => "not_sold",
            ChangeError::ContractPlan => "contract_plan",
            ChangeError::UnknownAddOn(_) => "unknown_add_on",
            ChangeError::ProrationDate => "invalid_proration_date",
            ChangeError::Money(_) => "amount_overflow",
        }
    }
}

impl From<PricingError> for ChangeError {
    fn from(e: PricingError) -> Self {
        match e {
            PricingError::NotSold(plan, interval) => {
                ChangeError::NotSold(plan.to_string(), interval.as_str())
            }
            PricingError::UnknownAddOn(a) => ChangeError::UnknownAddOn(a.label()),
            PricingError::Money(m) => ChangeError::Money(m),
        }
    }
}

/// The subscription as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub terms: Terms,
    pub period: Period,
    /// The calendar anchor of the periods.
    pub anchor: DateTime<Utc>,
    pub credit_balance: Money,
    pub pending: Pending,
    pub active_users: u32,
    /// A discount for months still to come.
    pub discount: Option<Discount>,
    /// The discount the current period was billed with, in percent-months.
    pub period_discount: u32,
}

impl Current {
    /// The subscription's money-relevant state (an active one: not paused).
    pub fn standing(&self) -> Standing {
        Standing {
            terms: self.terms.clone(),
            pending: self.pending.clone(),
            period: self.period,
            anchor: self.anchor,
            paused: false,
            pause_billed: false,
            discount: self.discount,
            period_discount: self.period_discount,
            credit: self.credit_balance,
        }
    }
}

/// What a change does, in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// The terms in force once the change is made.
    pub terms_now: Terms,
    /// The period in force once the change is made (new for monthly → annual).
    pub period: Period,
    /// Whether the billing anchor moves to now (monthly → annual).
    pub restarts_period: bool,
    /// What waits for the renewal.
    pub pending: Pending,
    /// Today's invoice: prorated lines, credit applied or created, total due.
    pub today: InvoiceDraft,
    /// The terms the renewal will bill.
    pub renewal_terms: Terms,
    /// When the renewal happens.
    pub renewal_date: DateTime<Utc>,
    /// What the renewal will charge after the credit balance left by today.
    pub renewal_amount: Money,
    /// The full price of the renewal before discount and credit.
    pub renewal_price: Money,
    /// The calendar anchor once the change is made.
    pub anchor: DateTime<Utc>,
    /// The discount left for later periods once the change is made.
    pub discount_after: Option<Discount>,
    /// The discount on the period in force, in percent-months.
    pub period_discount: u32,
    /// The next renewal after the change, as it will be billed.
    pub renewal: PeriodBill,
}

fn plan_label(catalog: &Catalog, terms: &Terms) -> String {
    let seats = if terms.seats == 1 {
        "1 seat".to_string()
    } else {
        format!("{} seats", terms.seats)
    };
    format!(
        "{} plan, {} ({seats})",
        catalog.plan(terms.plan).name,
        terms.interval.label().to_lowercase()
    )
}

fn prorated_line(
    description: String,
    quantity: u32,
    unit_for_period: Money,
    sign: i64,
    period: Period,
    now: DateTime<Utc>,
) -> Result<InvoiceLine, ChangeError> {
    let full = unit_for_period
        .checked_mul(i64::from(quantity))?
        .checked_mul(sign)?;
    Ok(InvoiceLine {
        kind: LineKind::Proration,
        description,
        quantity,
        unit_amount: unit_for_period.checked_mul(sign)?,
        amount: prorate(full, period, now)?,
        period_start: Some(now.max(period.start)),
        period_end: Some(period.end),
    })
}

/// Prices a proposed change at `now`.
pub fn quote(
    catalog: &Catalog,
    current: &Current,
    request: &ChangeRequest,
    now: DateTime<Utc>,
) -> Result<Quote, ChangeError> {
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

    let currency = catalog.currency();
    let to_annual = cur.interval == Interval::Month && wanted.interval == Interval::Year;
    let to_monthly = cur.interval == Interval::Year && wanted.interval == Interval::Month;
    // What applies now: never fewer seats mid-term, and annual → monthly waits.
    let terms_now = Terms::new(
        wanted.plan,
        if to_monthly {
            Interval::Year
        } else {
            wanted.interval
        },
        wanted.seats.max(cur.seats),
        wanted.add_ons.clone(),
    );
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
    let pending = Pending {
        seats: (wanted.seats < cur.seats).then_some(wanted.seats),
        interval: to_monthly.then_some(Interval::Month),
    };

    let today;
    let period;
    let mut anchor = current.anchor;
    let mut discount_after = current.discount;
    let mut period_discount = current.period_discount;
    if to_annual {
        // A new annual period starts now; the unused part of the month is
        // credited on what was paid for it (its discount taken off).
        period = Period::nth(now, Interval::Year, 0);
        let old_price = catalog
            .period_price(cur.plan, cur.interval, cur.seats, &cur.add_ons)
            .ok_or_else(|| ChangeError::NotSold(cur.plan.to_string(), cur.interval.as_str()))?;
        let paid = old_price.checked_add(discount_off(
            old_price,
            current.period_discount,
            cur.interval,
        )?)?;
        let credit = unused_time_credit(
            paid,
            current.period,
            now,
            format!("Unused time on {}", plan_label(catalog, cur)),
        )?;
        let bill = bill_period(
            catalog,
            &terms_now,
            period,
            now,
            current.discount,
            credit.into_iter().collect(),
            current.credit_balance,
        )?;
        anchor = now;
        discount_after = bill.discount_after;
        period_discount = bill.period_discount;
        let mut draft = bill.draft;
        // The credit for the old period reads first, as on a statement.
        if let Some(i) = draft
            .lines
            .iter()
            .position(|l| l.kind == LineKind::Proration)
        {
            let line = draft.lines.remove(i);
            draft.lines.insert(0, line);
        }
        today = draft;
    } else {
        let mut lines = Vec::new();
        period = current.period;
        let interval = cur.interval;
        let months = i64::from(interval.months());
        let seat_price = |plan: PlanId| {
            catalog
                .plan(plan)
                .seat_price_per_period(interval)
                .ok_or_else(|| {
                    ChangeError::NotSold(catalog.plan(plan).name.clone(), interval.as_str())
                })
        };
        if terms_now.plan != cur.plan {
            // The old plan's unused time is credited, the new plan's remaining time charged.
            let old_unit = seat_price(cur.plan)?;
            let new_unit = seat_price(terms_now.plan)?;
            lines.push(prorated_line(
                format!("Unused time on {}", plan_label(catalog, cur)),
                cur.seats,
                old_unit,
                -1,
                period,
                now,
            )?);
            lines.push(prorated_line(
                format!("Remaining time on {}", plan_label(catalog, &terms_now)),
                terms_now.seats,
                new_unit,
                1,
                period,
                now,
            )?);
        } else if terms_now.seats > cur.seats {
            let added = terms_now.seats - cur.seats;
            let noun = if added == 1 { "seat" } else { "seats" };
            lines.push(prorated_line(
                format!(
                    "{added} additional {noun} on the {} plan, remaining time",
                    catalog.plan(cur.plan).name
                ),
                added,
                seat_price(cur.plan)?,
                1,
                period,
                now,
            )?);
        }
        for add_on in catalog.add_ons() {
            let had = cur.add_ons.contains(&add_on.id);
            let has = terms_now.add_ons.contains(&add_on.id);
            let unit = add_on.monthly_price.checked_mul(months)?;
            if has && !had {
                lines.push(prorated_line(
                    format!("{} add-on, remaining time", add_on.name),
                    1,
                    unit,
                    1,
                    period,
                    now,
                )?);
            } else if had && !has {
                lines.push(prorated_line(
                    format!("Unused time on the {} add-on", add_on.name),
                    1,
                    unit,
                    -1,
                    period,
                    now,
                )?);
            }
        }
        if current.period_discount > 0 && !lines.is_empty() {
            // The period was paid at a discount: its changes prorate at that rate.
            let subtotal = Money::sum(currency, lines.iter().map(|l| l.amount))?;
            let off = discount_off(subtotal, current.period_discount, interval)?;
            if !off.is_zero() {
                lines.push(InvoiceLine {
                    kind: LineKind::Discount,
                    description: "Retention discount on the rest of this period".into(),
                    quantity: 1,
                    unit_amount: off,
                    amount: off,
                    period_start: Some(now.max(period.start)),
                    period_end: Some(period.end),
                });
            }
        }
        today = build_invoice(currency, lines, current.credit_balance)?;
    }

    let standing_after = Standing {
        terms: terms_now.clone(),
        pending: pending.clone(),
        period,
        anchor,
        paused: false,
        pause_billed: false,
        discount: discount_after,
        period_discount,
        credit: today.credit_balance_after,
    };
    let renewal = next_renewal(catalog, &standing_after)?;
    Ok(Quote {
        restarts_period: to_annual,
        terms_now,
        period,
        pending,
        today,
        renewal_terms: renewal.terms.clone(),
        renewal_date: renewal.period.start,
        renewal_amount: renewal.draft.total,
        renewal_price: renewal.price,
        anchor,
        discount_after,
        period_discount,
        renewal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn catalog() -> Catalog {
        Catalog::from_file(toml::from_str(include_str!("../../../config/catalog.toml")).unwrap())
            .unwrap()
    }

    fn usd(m: i64) -> Money {
        Money::new(m, Currency::USD)
    }

    /// Business, monthly, 12 seats, Nov 1 → Dec 1 2026 (30 days), 9 users.
    fn business(seats: u32) -> Current {
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        Current {
            terms: Terms::new(PlanId::Business, Interval::Month, seats, vec![]),
            period: Period::nth(start, Interval::Month, 0),
            anchor: start,
            credit_balance: usd(0),
            pending: Pending::default(),
            active_users: 9,
            discount: None,
            period_discount: 0,
        }
    }

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0).unwrap()
    }

    fn ask(plan: Option<PlanId>, interval: Option<Interval>, seats: Option<u32>) -> ChangeRequest {
        ChangeRequest {
            plan,
            interval,
            seats,
            ..ChangeRequest::default()
        }
    }

    #[test]
    fn adding_seats_mid_month_charges_the_prorated_rest() {
        // 3 seats × $139 × 15/30 days = $208.50, charged today.
        let q = quote(
            &catalog(),
            &business(12),
            &ask(None, None, Some(15)),
            day(16),
        )
        .unwrap();
        assert_eq!(q.today.total, usd(20_850));
        assert_eq!(q.today.lines.len(), 1);
        assert_eq!(
            q.today.lines[0].description,
            "3 additional seats on the Business plan, remaining time"
        );
        assert_eq!(q.terms_now.seats, 15);
        assert_eq!(q.renewal_date, day(1) + chrono::Duration::days(30));
        assert_eq!(q.renewal_amount, usd(15 * 13_900));
        assert!(q.pending.is_empty());
    }

    #[test]
    fn removing_seats_waits_for_the_renewal_without_credit() {
        let q = quote(
            &catalog(),
            &business(12),
            &ask(None, None, Some(10)),
            day(16),
        )
        .unwrap();
        assert_eq!(q.today.total, usd(0));
        assert_eq!(q.today.credit_created, usd(0));
        assert!(q.today.lines.is_empty());
        assert_eq!(q.terms_now.seats, 12);
        assert_eq!(q.pending.seats, Some(10));
        assert_eq!(q.renewal_amount, usd(10 * 13_900));
    }

    #[test]
    fn seats_never_go_below_active_users() {
        let err = quote(
            &catalog(),
            &business(12),
            &ask(None, None, Some(8)),
            day(16),
        )
        .unwrap_err();
        assert_eq!(err, ChangeError::SeatsBelowActiveUsers { active: 9 });
        assert_eq!(err.param(), Some("seats"));
        assert_eq!(
            quote(
                &catalog(),
                &business(12),
                &ask(None, None, Some(0)),
                day(16)
            )
            .unwrap_err(),
            ChangeError::SeatsOutOfRange
        );
    }

    #[test]
    fn an_upgrade_charges_the_prorated_difference() {
        // Essentials → Business, 12 seats, 10 of 30 days left:
        // credit 12 × $89 × 1/3 = $356.00, charge 12 × $139 × 1/3 = $556.00, due $200.00.
        let mut cur = business(12);
        cur.terms.plan = PlanId::Essentials;
        let q = quote(
            &catalog(),
            &cur,
            &ask(Some(PlanId::Business), None, None),
            day(21),
        )
        .unwrap();
        let amounts: Vec<i64> = q.today.lines.iter().map(|l| l.amount.amount()).collect();
        assert_eq!(amounts, [-35_600, 55_600]);
        assert_eq!(q.today.total, usd(20_000));
        assert_eq!(q.today.credit_created, usd(0));
        assert_eq!(q.renewal_amount, usd(166_800));
    }

    #[test]
    fn a_downgrade_creates_credit_that_pays_part_of_the_renewal() {
        // Business → Essentials, 12 seats, 10 of 30 days left: credit $556 − $356 = $200.
        let q = quote(
            &catalog(),
            &business(12),
            &ask(Some(PlanId::Essentials), None, None),
            day(21),
        )
        .unwrap();
        assert_eq!(q.today.total, usd(0));
        assert_eq!(q.today.credit_created, usd(20_000));
        assert_eq!(q.today.credit_balance_after, usd(20_000));
        // The renewal: 12 × $89 = $1,068 less the $200 credit.
        assert_eq!(q.renewal_price, usd(106_800));
        assert_eq!(q.renewal_amount, usd(86_800));
    }

    #[test]
    fn existing_credit_is_applied_to_todays_charge() {
        let mut cur = business(12);
        cur.credit_balance = usd(5_000);
        let q = quote(&catalog(), &cur, &ask(None, None, Some(15)), day(16)).unwrap();
        assert_eq!(q.today.credit_applied, usd(5_000));
        assert_eq!(q.today.total, usd(15_850));
    }

    #[test]
    fn monthly_to_annual_starts_a_new_year_and_credits_the_unused_month() {
        // 15 of 30 days unused: credit $834.00; a year of 12 × $119 × 12 = $17,136.00.
        let q = quote(
            &catalog(),
            &business(12),
            &ask(None, Some(Interval::Year), None),
            day(16),
        )
        .unwrap();
        assert!(q.restarts_period);
        assert_eq!(q.period.start, day(16));
        assert_eq!(
            q.period.end,
            Utc.with_ymd_and_hms(2027, 11, 16, 0, 0, 0).unwrap()
        );
        let amounts: Vec<i64> = q.today.lines.iter().map(|l| l.amount.amount()).collect();
        assert_eq!(amounts, [-83_400, 1_713_600]);
        assert_eq!(q.today.total, usd(1_630_200));
        assert_eq!(q.renewal_date, q.period.end);
    }

    #[test]
    fn annual_to_monthly_waits_for_the_end_of_the_contract() {
        let mut cur = business(12);
        cur.terms.interval = Interval::Year;
        cur.period = Period::nth(day(1), Interval::Year, 0);
        let q = quote(
            &catalog(),
            &cur,
            &ask(None, Some(Interval::Month), None),
            day(16),
        )
        .unwrap();
        assert_eq!(q.today.total, usd(0));
        assert!(q.today.lines.is_empty());
        assert_eq!(q.terms_now.interval, Interval::Year);
        assert_eq!(q.pending.interval, Some(Interval::Month));
        assert_eq!(q.renewal_date, cur.period.end);
        assert_eq!(q.renewal_amount, usd(166_800));
    }

    #[test]
    fn adding_and_removing_add_ons_prorates_each() {
        let mut cur = business(12);
        cur.terms.add_ons = vec![AddOnId::Marketing];
        let request = ChangeRequest {
            add_ons: Some(vec![AddOnId::SupportBot]),
            ..ChangeRequest::default()
        };
        // 15 of 30 days: +$25.00 Support Bot, −$20.00 Marketing.
        let q = quote(&catalog(), &cur, &request, day(16)).unwrap();
        let amounts: Vec<i64> = q.today.lines.iter().map(|l| l.amount.amount()).collect();
        assert_eq!(amounts, [2_500, -2_000]);
        assert_eq!(q.today.total, usd(500));
    }

    #[test]
    fn refusals_name_their_field() {
        let c = catalog();
        let cur = business(12);
        let cases = [
            (
                ask(Some(PlanId::Premium), Some(Interval::Month), None),
                "not_sold",
                Some("interval"),
            ),
            (
                ask(Some(PlanId::Premium), None, None),
                "not_sold",
                Some("interval"),
            ),
            (ask(None, None, Some(12)), "nothing_to_change", None),
            (
                ask(None, None, Some(MAX_SEATS + 1)),
                "out_of_range",
                Some("seats"),
            ),
        ];
        for (request, code, param) in cases {
            let err = quote(&c, &cur, &request, day(16)).unwrap_err();
            assert_eq!((err.code(), err.param()), (code, param), "{request:?}");
        }
        let mut premium = cur.clone();
        premium.terms = Terms::new(PlanId::Premium, Interval::Year, 12, vec![]);
        let err = quote(
            &c,
            &premium,
            &ask(Some(PlanId::Business), None, None),
            day(16),
        )
        .unwrap_err();
        assert_eq!(err, ChangeError::ContractPlan);
    }

    #[test]
    fn another_change_keeps_a_pending_switch_to_monthly() {
        let mut cur = business(12);
        cur.terms.interval = Interval::Year;
        cur.period = Period::nth(day(1), Interval::Year, 0);
        cur.pending.interval = Some(Interval::Month);
        let q = quote(&catalog(), &cur, &ask(None, None, Some(13)), day(16)).unwrap();
        assert_eq!(q.pending.interval, Some(Interval::Month));
        assert_eq!(q.renewal_terms.interval, Interval::Month);
        // Sending what is already so changes nothing, and keeps the switch.
        let same = ChangeRequest {
            add_ons: Some(vec![]),
            ..ChangeRequest::default()
        };
        assert_eq!(
            quote(&catalog(), &cur, &same, day(16)).unwrap_err(),
            ChangeError::NothingToChange
        );
    }

    #[test]
    fn a_discounted_period_prorates_changes_at_the_rate_paid() {
        // 25% off this month: 3 seats × $139 × 15/30 = $208.50, less 25% = $156.38.
        let mut cur = business(12);
        cur.period_discount = 25;
        let q = quote(&catalog(), &cur, &ask(None, None, Some(15)), day(16)).unwrap();
        let amounts: Vec<i64> = q.today.lines.iter().map(|l| l.amount.amount()).collect();
        assert_eq!(amounts, [20_850, -5_213]);
        assert_eq!(q.today.total, usd(15_637));
        // A downgrade credits only what was paid for the unused time.
        let q = quote(
            &catalog(),
            &cur,
            &ask(Some(PlanId::Essentials), None, None),
            day(21),
        )
        .unwrap();
        assert_eq!(q.today.credit_created, usd(15_000));
    }

    #[test]
    fn a_pending_reduction_can_be_raised_back_without_charge() {
        let mut cur = business(12);
        cur.pending.seats = Some(10);
        let q = quote(&catalog(), &cur, &ask(None, None, Some(12)), day(16)).unwrap();
        assert!(q.pending.is_empty());
        assert_eq!(q.today.total, usd(0));
    }

    proptest! {
        #[test]
        fn no_money_is_created_or_lost_by_a_change(
            seats in 9u32..40,
            new_seats in 9u32..40,
            plan in 0usize..2,
            days_in in 0u32..30,
            credit in 0i64..500_000,
        ) {
            let mut cur = business(seats);
            cur.credit_balance = usd(credit);
            let now = day(1) + chrono::Duration::days(i64::from(days_in)) + chrono::Duration::seconds(4_321);
            let request = ask(Some([PlanId::Essentials, PlanId::Business][plan]), None, Some(new_seats));
            if let Ok(q) = quote(&catalog(), &cur, &request, now) {
                let charges: i64 = q.today.lines.iter()
                    .filter(|l| !matches!(l.kind, LineKind::CreditApplied | LineKind::CreditAdded))
                    .map(|l| l.amount.amount()).sum();
                // Everything charged is paid by card or credit; everything credited lands in the balance.
                prop_assert_eq!(charges, q.today.total.amount() + q.today.credit_applied.amount() - q.today.credit_created.amount());
                prop_assert_eq!(q.today.credit_balance_after.amount(), credit - q.today.credit_applied.amount() + q.today.credit_created.amount());
                prop_assert!(q.today.total.amount() >= 0 && q.today.credit_balance_after.amount() >= 0);
                prop_assert!(q.terms_now.seats >= seats);
            }
        }
    }
}
