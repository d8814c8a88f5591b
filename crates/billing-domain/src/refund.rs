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

/// Card money going back to one charge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardRefundPart {
    /// The gateway's id of the charge refunded.
    pub charge_id: String,
    pub amount: Money,
}

/// A refund and how it was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundQuote {
    pub kind: RefundKind,
    /// The whole refund: `to_card` plus `to_balance`.
    pub amount: Money,
    /// Back to the card, over the charges in `card_refunds`.
    pub to_card: Money,
    /// Credited to the balance.
    pub to_balance: Money,
    /// Per charge: never more than that charge.
    pub card_refunds: Vec<CardRefundPart>,
    /// Why a full refund does or doesn't apply.
    pub explanation: String,
    pub steps: Vec<RefundStep>,
}

/// One payment for the current period: a card charge, credit, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodPayment {
    /// What the card paid, and under which charge (refundable rest).
    pub card: Option<(String, Money)>,
    /// What the credit balance paid.
    pub credit: Money,
}

/// Everything paid for the current period, by source (SPEC §11).
#[derive(Debug, Clone, PartialEq)]
pub struct RefundBasis {
    pub payments: Vec<PeriodPayment>,
    /// Credit already granted for this period (a downgrade's unused time).
    pub credit_granted: Money,
}

impl RefundBasis {
    fn card_total(&self, currency: crate::money::Currency) -> Result<Money, MoneyError> {
        Money::sum(
            currency,
            self.payments
                .iter()
                .filter_map(|p| p.card.as_ref().map(|c| c.1)),
        )
    }

    fn credit_total(&self, currency: crate::money::Currency) -> Result<Money, MoneyError> {
        Money::sum(currency, self.payments.iter().map(|p| p.credit))
    }
}

/// What the refund depends on.
#[derive(Debug, Clone)]
pub struct RefundInput {
    pub now: DateTime<Utc>,
    pub period: Period,
    /// When the period was bought (its first invoice was paid).
    pub purchased_at: DateTime<Utc>,
    /// What was paid for the period, by source.
    pub basis: RefundBasis,
    /// The period at list price (monthly rates, no coupon) of the terms in
    /// force from each moment: the first from the period start, then one per
    /// mid-period change.
    pub list_prices: Vec<(DateTime<Utc>, Money)>,
    pub add_ons: Vec<AddOnId>,
    pub usage: Usage,
    pub full_refund_days: u32,
}

/// The time used so far, at the list price of the terms in force at each
/// moment: Σ price × seconds / period seconds, rounded once.
fn used_at_list_price(input: &RefundInput) -> Result<Money, MoneyError> {
    let currency = input.basis.credit_granted.currency();
    let total = i128::from(input.period.seconds().max(1));
    let until = input.now.clamp(input.period.start, input.period.end);
    let mut numerator: i128 = 0;
    for (i, (from, price)) in input.list_prices.iter().enumerate() {
        let start = (*from).clamp(input.period.start, until);
        let end = input
            .list_prices
            .get(i + 1)
            .map_or(until, |(next, _)| (*next).clamp(input.period.start, until));
        let secs = i128::from((end - start).num_seconds().max(0));
        numerator += i128::from(price.amount()) * secs;
    }
    // Half away from zero, as every amount (numerator is never negative).
    let rounded = (2 * numerator + total) / (2 * total);
    Ok(Money::new(
        i64::try_from(rounded).map_err(|_| MoneyError::Overflow)?,
        currency,
    ))
}

/// Computes the refund at `now`: full (card money to its charges, credit
/// money to the balance) or partial (to the balance: what was paid less the
/// used share at list price, never below zero).
pub fn quote_refund(input: &RefundInput) -> Result<RefundQuote, MoneyError> {
    let currency = input.basis.credit_granted.currency();
    let zero = Money::zero(currency);
    let card_paid = input.basis.card_total(currency)?;
    let credit_paid = input.basis.credit_total(currency)?;
    let granted = input.basis.credit_granted;
    let paid_gross = card_paid.checked_add(credit_paid)?;
    let paid = Money::new(paid_gross.checked_sub(granted)?.amount().max(0), currency);
    let within =
        input.now - input.purchased_at <= Duration::days(i64::from(input.full_refund_days));
    let unused = input.usage.first_use(&input.add_ons);
    let mut steps = vec![RefundStep {
        label: "Paid by card for this period".into(),
        amount: card_paid,
    }];
    if !credit_paid.is_zero() {
        steps.push(RefundStep {
            label: "Paid from your credit balance for this period".into(),
            amount: credit_paid,
        });
    }
    if !granted.is_zero() {
        steps.push(RefundStep {
            label: "Already credited for this period (unused time)".into(),
            amount: Money::new(-granted.amount(), currency),
        });
    }
    if within && unused.is_none() {
        // Credit already granted is netted against credit paid first, then
        // against the card; card money goes back charge by charge.
        let to_balance = Money::new((credit_paid.amount() - granted.amount()).max(0), currency);
        let mut card_left = (paid.amount() - to_balance.amount()).max(0);
        let mut card_refunds = Vec::new();
        for (charge_id, amount) in input.basis.payments.iter().filter_map(|p| p.card.as_ref()) {
            let part = card_left.min(amount.amount());
            if part > 0 {
                card_refunds.push(CardRefundPart {
                    charge_id: charge_id.clone(),
                    amount: Money::new(part, currency),
                });
                card_left -= part;
            }
        }
        let to_card = Money::sum(currency, card_refunds.iter().map(|p| p.amount))?;
        if !to_card.is_zero() {
            steps.push(RefundStep {
                label: "Refund to your card".into(),
                amount: to_card,
            });
        }
        if !to_balance.is_zero() {
            steps.push(RefundStep {
                label: "Refund to your credit balance".into(),
                amount: to_balance,
            });
        }
        return Ok(RefundQuote {
            kind: RefundKind::Full,
            amount: to_card.checked_add(to_balance)?,
            to_card,
            to_balance,
            card_refunds,
            explanation: format!(
                "Nothing was used within {} days of the purchase, so everything paid is refunded: card payments to the card, credit to your balance.",
                input.full_refund_days
            ),
            steps,
        });
    }
    let used_at_list = used_at_list_price(input)?;
    let amount = Money::new((paid.amount() - used_at_list.amount()).max(0), currency);
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
    steps.push(RefundStep {
        label: "Time used, at the list price (any discount received is clawed back)".into(),
        amount: Money::new(-used_at_list.amount(), currency),
    });
    steps.push(RefundStep {
        label: "Refund to your credit balance".into(),
        amount,
    });
    Ok(RefundQuote {
        kind: RefundKind::Partial,
        amount,
        to_card: zero,
        to_balance: amount,
        card_refunds: vec![],
        explanation: format!("{why}, so what was paid for the period, less the time used at the list price, is credited to your balance."),
        steps,
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

    fn card_paid(amount: i64) -> RefundBasis {
        RefundBasis {
            payments: vec![PeriodPayment {
                card: Some(("ch_1".into(), usd(amount))),
                credit: usd(0),
            }],
            credit_granted: usd(0),
        }
    }

    fn input(days_in: i64, usage: Usage) -> RefundInput {
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        RefundInput {
            now: start + Duration::days(days_in),
            period: Period::nth(start, Interval::Month, 0),
            purchased_at: start,
            basis: card_paid(166_800),
            list_prices: vec![(start, usd(166_800))],
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
            basis: card_paid(1_713_600),
            list_prices: vec![(start, usd(2_001_600))],
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
        assert_eq!(amounts, [1_713_600, -400_320, 1_313_280]);
        assert_eq!((q.to_card, q.to_balance), (usd(0), usd(1_313_280)));
    }

    #[test]
    fn a_full_refund_of_a_renewal_paid_partly_by_credit_returns_each_source() {
        // $1,068.00 renewal: $406.46 from credit, $661.54 from the card.
        let mut i = input(3, Usage::default());
        i.basis = RefundBasis {
            payments: vec![PeriodPayment {
                card: Some(("ch_renewal".into(), usd(66_154))),
                credit: usd(40_646),
            }],
            credit_granted: usd(0),
        };
        let q = quote_refund(&i).unwrap();
        assert_eq!(q.kind, RefundKind::Full);
        assert_eq!(q.to_card, usd(66_154));
        assert_eq!(q.to_balance, usd(40_646));
        assert_eq!(q.amount, usd(106_800));
        assert_eq!(
            q.card_refunds,
            [CardRefundPart {
                charge_id: "ch_renewal".into(),
                amount: usd(66_154)
            }]
        );
    }

    #[test]
    fn the_time_used_is_priced_at_the_terms_in_force_then() {
        // 12 seats for the first half of a 30-day month, 13 for the second,
        // refunded at the end of day 20: 12 × $139 × 15/30 + 13 × $139 × 5/30.
        let mut i = input(
            20,
            Usage {
                chats: 1,
                ..Usage::default()
            },
        );
        let start = i.period.start;
        i.list_prices = vec![
            (start, usd(166_800)),
            (start + Duration::days(15), usd(180_700)),
        ];
        i.basis.payments.push(PeriodPayment {
            card: Some(("ch_seat".into(), usd(6_950))),
            credit: usd(0),
        });
        let q = quote_refund(&i).unwrap();
        let used = 83_400 + 30_117; // 180,700 × 5/30 = 30,116.67
        assert_eq!(q.amount, usd(166_800 + 6_950 - used));
    }

    #[test]
    fn credit_already_granted_for_the_period_is_not_refunded_again() {
        // Paid $1,668 by card and $200 by card for an upgrade, then a
        // downgrade credited $300: the full refund is $1,568, all to the card.
        let mut i = input(2, Usage::default());
        i.basis = RefundBasis {
            payments: vec![
                PeriodPayment {
                    card: Some(("ch_a".into(), usd(166_800))),
                    credit: usd(0),
                },
                PeriodPayment {
                    card: Some(("ch_b".into(), usd(20_000))),
                    credit: usd(0),
                },
            ],
            credit_granted: usd(30_000),
        };
        let q = quote_refund(&i).unwrap();
        assert_eq!((q.to_card, q.to_balance), (usd(156_800), usd(0)));
        assert_eq!(q.card_refunds.len(), 1);
        assert!(q.card_refunds.iter().all(|p| p.amount.amount() <= 166_800));
        // A partial refund never goes below zero.
        let mut late = i.clone();
        late.now = late.period.start + Duration::days(29);
        late.basis.credit_granted = usd(186_800);
        let q = quote_refund(&late).unwrap();
        assert_eq!((q.kind, q.amount), (RefundKind::Partial, usd(0)));
    }
}
