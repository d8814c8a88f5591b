//! Refunds when a subscription ends early (SPEC §6).
//!
//! - Full refund within the configured days of a purchase, if nothing was
//!   used: the base plan (no chats or customer data), Support Bot (never
//!   used), Operation (no rule run, no statistics queried), Marketing (no
//!   campaign beyond one one-time message).
//! - Otherwise a partial refund of the unused rest of the period, credited
//!   to the balance, less the discount received on the time used (the
//!   annual rate or a coupon is clawed back).

use crate::catalog::AddOnId;
use crate::money::{Money, MoneyError};
use crate::period::Period;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What the product recorded as used in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub chats: u64,
    pub customer_records: u64,
    pub bot_conversations: u64,
    pub automation_runs: u64,
    pub statistics_queries: u64,
    pub campaigns: u64,
    pub one_time_messages: u64,
}

impl Usage {
    /// Whether each part of a subscription went unused, with the reason if not.
    pub fn first_use(&self, add_ons: &[AddOnId]) -> Option<&'static str> {
        if self.chats > 0 || self.customer_records > 0 {
            return Some("the plan was used (chats or customer data were collected)");
        }
        for a in add_ons {
            let used = match a {
                AddOnId::SupportBot => {
                    (self.bot_conversations > 0).then_some("Support Bot was used")
                }
                AddOnId::Operation => (self.automation_runs > 0 || self.statistics_queries > 0)
                    .then_some("Operation was used (a rule ran or statistics were queried)"),
                AddOnId::Marketing => (self.campaigns > 0 || self.one_time_messages > 1)
                    .then_some("Marketing was used (a campaign was sent)"),
            };
            if used.is_some() {
                return used;
            }
        }
        None
    }
}

/// The kind of refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    /// Everything paid for the period, back to the card.
    Full,
    /// The unused rest, less the discount penalty, to the credit balance.
    Partial,
}

/// One step of the computation shown to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundStep {
    pub label: String,
    pub amount: Money,
}

/// A refund and how it was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundQuote {
    pub kind: RefundKind,
    pub amount: Money,
    /// Why a full refund does or doesn't apply.
    pub explanation: String,
    pub steps: Vec<RefundStep>,
}

/// What the refund depends on.
#[derive(Debug, Clone)]
pub struct RefundInput {
    pub now: DateTime<Utc>,
    pub period: Period,
    /// When the period's plan was bought (its invoice was paid).
    pub purchased_at: DateTime<Utc>,
    /// What was paid for the period (after discounts, before credit).
    pub paid: Money,
    /// The period at list price: monthly rates, no coupon.
    pub list_price: Money,
    pub add_ons: Vec<AddOnId>,
    pub usage: Usage,
    pub full_refund_days: u32,
}

/// Computes the refund at `now`.
pub fn quote_refund(input: &RefundInput) -> Result<RefundQuote, MoneyError> {
    let currency = input.paid.currency();
    let within =
        input.now - input.purchased_at <= Duration::days(i64::from(input.full_refund_days));
    let unused = input.usage.first_use(&input.add_ons);
    if within && unused.is_none() {
        return Ok(RefundQuote {
            kind: RefundKind::Full,
            amount: input.paid,
            explanation: format!(
                "Nothing was used within {} days of the purchase, so everything paid is refunded to your card.",
                input.full_refund_days
            ),
            steps: vec![RefundStep {
                label: "Paid for this period".into(),
                amount: input.paid,
            }],
        });
    }
    let total = input.period.seconds().max(1);
    let elapsed = (input.now - input.period.start)
        .num_seconds()
        .clamp(0, total);
    let unused_part = input.paid.mul_ratio(total - elapsed, total)?;
    let used_at_list = input.list_price.mul_ratio(elapsed, total)?;
    let used_paid = input.paid.checked_sub(unused_part)?;
    let penalty = Money::new(
        (used_at_list.amount() - used_paid.amount()).max(0),
        currency,
    );
    let amount = Money::new((unused_part.amount() - penalty.amount()).max(0), currency);
    let why = match (within, unused) {
        (false, _) => format!(
            "It is more than {} days since the purchase",
            input.full_refund_days
        ),
        (true, Some(reason)) => format!(
            "Within {} days of the purchase, but {reason}",
            input.full_refund_days
        ),
        (true, None) => unreachable!("handled above"),
    };
    Ok(RefundQuote {
        kind: RefundKind::Partial,
        amount,
        explanation: format!("{why}, so the unused rest of the period is credited to your balance, less the discount received on the time used."),
        steps: vec![
            RefundStep {
                label: "Paid for this period".into(),
                amount: input.paid,
            },
            RefundStep {
                label: "Unused rest of the period".into(),
                amount: unused_part,
            },
            RefundStep {
                label: "Discount received on the time used (clawed back)".into(),
                amount: Money::new(-penalty.amount(), currency),
            },
            RefundStep {
                label: "Refund to your credit balance".into(),
                amount,
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Interval;
    use crate::money::Currency;
    use chrono::TimeZone;

    fn usd(m: i64) -> Money {
        Money::new(m, Currency::USD)
    }

    fn input(days_in: i64, usage: Usage) -> RefundInput {
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        RefundInput {
            now: start + Duration::days(days_in),
            period: Period::nth(start, Interval::Month, 0),
            purchased_at: start,
            paid: usd(166_800),
            list_price: usd(166_800),
            add_ons: vec![AddOnId::SupportBot],
            usage,
            full_refund_days: 7,
        }
    }

    #[test]
    fn unused_within_seven_days_is_refunded_in_full() {
        let q = quote_refund(&input(6, Usage::default())).unwrap();
        assert_eq!((q.kind, q.amount), (RefundKind::Full, usd(166_800)));
        // One one-time message is not a use of Marketing.
        let mut i = input(
            6,
            Usage {
                one_time_messages: 1,
                ..Usage::default()
            },
        );
        i.add_ons.push(AddOnId::Marketing);
        assert_eq!(quote_refund(&i).unwrap().kind, RefundKind::Full);
    }

    #[test]
    fn any_use_or_a_late_request_gives_the_unused_rest() {
        let cases = [
            (
                6,
                Usage {
                    chats: 1,
                    ..Usage::default()
                },
            ),
            (
                6,
                Usage {
                    bot_conversations: 3,
                    ..Usage::default()
                },
            ),
            (8, Usage::default()),
        ];
        for (days, usage) in cases {
            let q = quote_refund(&input(days, usage)).unwrap();
            assert_eq!(q.kind, RefundKind::Partial, "{days} {usage:?}");
            // Monthly at list price: no penalty; the unused (30 − days)/30.
            let expected = usd(166_800).mul_ratio(30 - days, 30).unwrap();
            assert_eq!(q.amount, expected, "{days} {usage:?}");
            assert_eq!(q.steps.last().unwrap().amount, q.amount);
        }
    }

    #[test]
    fn the_annual_discount_is_clawed_back_on_the_time_used() {
        // Business annual: $119 × 12 seats × 12 = $17,136 paid; list $139 × 12 × 12 = $20,016.
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let period = Period::nth(start, Interval::Year, 0);
        let i = RefundInput {
            now: start + Duration::days(73), // 73 of 365 days = 1/5
            period,
            purchased_at: start,
            paid: usd(1_713_600),
            list_price: usd(2_001_600),
            add_ons: vec![],
            usage: Usage {
                chats: 10,
                ..Usage::default()
            },
            full_refund_days: 7,
        };
        let q = quote_refund(&i).unwrap();
        // Unused 4/5 of 17,136 = 13,708.80; used at list 1/5 of 20,016 = 4,003.20,
        // paid for it 3,427.20: penalty 576.00. Refund 13,132.80.
        let amounts: Vec<i64> = q.steps.iter().map(|s| s.amount.amount()).collect();
        assert_eq!(amounts, [1_713_600, 1_370_880, -57_600, 1_313_280]);
    }
}
