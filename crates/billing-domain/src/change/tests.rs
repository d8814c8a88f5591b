//! The change rules as tables, and a property: no money is created or lost.

use super::*;
use crate::catalog::{AddOnId, PlanId};
use crate::invoice::LineKind;
use crate::money::Currency;
use chrono::TimeZone;
use proptest::prelude::*;

fn catalog() -> Catalog {
    Catalog::from_file(toml::from_str(include_str!("../../../../config/catalog.toml")).unwrap())
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
        // Premium is a contract plan: never bought self-serve (SPEC §2),
        // at whatever interval.
        (
            ask(Some(PlanId::Premium), Some(Interval::Month), None),
            "not_self_serve",
            Some("plan"),
        ),
        (
            ask(Some(PlanId::Premium), None, None),
            "not_self_serve",
            Some("plan"),
        ),
        (
            ask(Some(PlanId::Premium), Some(Interval::Year), None),
            "not_self_serve",
            Some("plan"),
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
