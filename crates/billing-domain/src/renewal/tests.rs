//! Renewals, pause months and restarts priced, and when a discount may be offered.

use super::*;
use crate::catalog::PlanId;
use crate::money::Currency;
use chrono::TimeZone;

fn catalog() -> Catalog {
    Catalog::from_file(toml::from_str(include_str!("../../../../config/catalog.toml")).unwrap())
        .unwrap()
}

fn usd(m: i64) -> Money {
    Money::new(m, Currency::USD)
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0).unwrap()
}

fn business() -> Standing {
    Standing {
        terms: Terms::new(PlanId::Business, Interval::Month, 12, vec![]),
        pending: Pending::default(),
        period: Period::nth(day(1), Interval::Month, 0),
        anchor: day(1),
        paused: false,
        pause_billed: false,
        discount: None,
        period_discount: 0,
        credit: usd(0),
    }
}

#[test]
fn a_monthly_discount_takes_percent_off_each_of_n_renewals() {
    let mut s = business();
    s.discount = Some(Discount {
        percent: 25,
        months_left: 3,
    });
    let bill = next_renewal(&catalog(), &s).unwrap();
    // $1,668 less 25% = $1,251.
    assert_eq!(bill.draft.total, usd(125_100));
    assert_eq!(bill.discount_amount, usd(41_700));
    assert_eq!(bill.period_discount, 25);
    assert_eq!(
        bill.discount_after,
        Some(Discount {
            percent: 25,
            months_left: 2
        })
    );
}

#[test]
fn an_annual_renewal_takes_the_discount_months_as_a_share_of_the_year() {
    let mut s = business();
    s.terms.interval = Interval::Year;
    s.period = Period::nth(day(1), Interval::Year, 0);
    s.discount = Some(Discount {
        percent: 25,
        months_left: 3,
    });
    let bill = next_renewal(&catalog(), &s).unwrap();
    // 12 × $119 × 12 = $17,136; 25% × 3/12 = 6.25% → $1,071 off.
    assert_eq!(bill.price, usd(1_713_600));
    assert_eq!(bill.discount_amount, usd(107_100));
    assert_eq!(bill.draft.total, usd(1_606_500));
    assert_eq!(bill.discount_after, None);
    assert_eq!(bill.period_discount, 75);
}

#[test]
fn credit_and_pending_changes_shape_the_next_renewal() {
    let mut s = business();
    s.pending.seats = Some(10);
    s.credit = usd(30_967);
    let bill = next_renewal(&catalog(), &s).unwrap();
    // 10 × $139 = $1,390 less $309.67 credit.
    assert_eq!(bill.draft.total, usd(139_000 - 30_967));
    assert_eq!(bill.terms.seats, 10);
    assert_eq!(bill.period.start, s.period.end);
}

#[test]
fn a_paused_subscription_renews_at_the_pause_price_keeping_its_discount() {
    let mut s = business();
    s.paused = true;
    s.discount = Some(Discount {
        percent: 25,
        months_left: 3,
    });
    let bill = next_renewal(&catalog(), &s).unwrap();
    assert_eq!(bill.draft.total, usd(100));
    assert!(bill.pause);
    assert_eq!(bill.discount_after, s.discount);
}

#[test]
fn pause_months_keep_the_anchor_calendar() {
    // Anchored on Dec 29: the pause month after Feb 28 runs to Mar 29.
    let mut s = business();
    let anchor = Utc.with_ymd_and_hms(2026, 12, 29, 0, 0, 0).unwrap();
    s.anchor = anchor;
    s.period = Period::nth(anchor, Interval::Month, 1);
    s.paused = true;
    let bill = next_renewal(&catalog(), &s).unwrap();
    assert_eq!(
        (bill.period.start, bill.period.end),
        (
            Utc.with_ymd_and_hms(2027, 2, 28, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 29, 0, 0, 0).unwrap()
        )
    );
    assert_eq!(bill.anchor, anchor);
}

#[test]
fn resuming_after_a_pause_month_credits_the_unused_pause_time() {
    let mut s = business();
    s.paused = true;
    s.pause_billed = true;
    s.pending.seats = Some(10);
    // Resume halfway through the pause month.
    let bill = restart(&catalog(), &s, day(16), Restart::Resume).unwrap();
    assert_eq!(bill.terms.seats, 10);
    assert_eq!(bill.period.start, day(16));
    assert_eq!(bill.draft.total, usd(139_000 - 50));
}

#[test]
fn recovering_a_paused_subscription_starts_a_pause_month() {
    let mut s = business();
    s.paused = true;
    let bill = restart(&catalog(), &s, day(20), Restart::Recover).unwrap();
    assert!(bill.pause);
    assert_eq!(bill.period.start, day(20));
    assert_eq!(bill.draft.total, usd(100));
}

#[test]
fn a_discount_is_offered_once_in_twelve_months_and_never_while_in_force() {
    assert_eq!(
        discount_offerable(true, None, day(1)),
        Err(DiscountRefusal::InForce)
    );
    let accepted = day(1);
    let again = Utc.with_ymd_and_hms(2027, 11, 1, 0, 0, 0).unwrap();
    assert_eq!(
        discount_offerable(false, Some(accepted), day(20)),
        Err(DiscountRefusal::TooSoon(again))
    );
    assert_eq!(discount_offerable(false, Some(accepted), again), Ok(()));
    assert_eq!(discount_offerable(false, None, day(20)), Ok(()));
}
