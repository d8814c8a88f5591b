//! The subscription record and the domain's views of it (its standing, the
//! record after a bill, the standing a recovery prices from).

use super::InvoiceRecord;
use billing_domain::Money;
use billing_domain::{AddOnId, Currency, Interval, PlanId, SubscriptionStatus};
use chrono::{DateTime, Utc};

/// An account's subscription.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SubscriptionRecord {
    pub account_id: String,
    pub plan: PlanId,
    pub interval: Interval,
    pub seats: u32,
    pub add_ons: Vec<AddOnId>,
    pub status: SubscriptionStatus,
    pub billing_anchor: DateTime<Utc>,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    pub currency: Currency,
    /// The available credit balance in minor units: read from the ledger,
    /// never written (a change of balance is a ledger entry).
    pub credit_balance: i64,
    /// Credit held for withdrawals not yet decided (from the ledger).
    pub credit_held: i64,
    pub version: i64,
    /// When the account became past due (a renewal was declined).
    pub past_due_since: Option<DateTime<Utc>>,
    /// When the grace period ends and the account is deactivated.
    pub grace_until: Option<DateTime<Utc>>,
    /// Seats to drop to at the renewal.
    pub pending_seats: Option<u32>,
    /// The interval to switch to at the renewal.
    pub pending_interval: Option<Interval>,
    /// A scheduled cancellation's moment (the period end).
    pub cancel_at: Option<DateTime<Utc>>,
    /// When cancellation took effect.
    pub canceled_at: Option<DateTime<Utc>>,
    /// A retention offer's discount, in percent.
    pub discount_percent: Option<u32>,
    /// How many more months of service the discount covers.
    pub discount_periods_left: Option<u32>,
    /// Whether the current period was billed at the pause price.
    pub pause_billed: bool,
    /// Whether the customer has paused (renewals bill the pause price).
    pub paused: bool,
    /// The discount the current period was billed with, in percent-months.
    pub period_discount: u32,
    /// When a retention discount was last accepted.
    pub discount_accepted_at: Option<DateTime<Utc>>,
}

impl SubscriptionRecord {
    /// The discount still to come, if any.
    pub fn discount(&self) -> Option<billing_domain::renewal::Discount> {
        match (self.discount_percent, self.discount_periods_left) {
            (Some(percent), Some(months_left)) if months_left > 0 => {
                Some(billing_domain::renewal::Discount {
                    percent,
                    months_left,
                })
            }
            _ => None,
        }
    }

    /// The money-relevant state the domain prices.
    pub fn standing(&self) -> billing_domain::renewal::Standing {
        billing_domain::renewal::Standing {
            terms: billing_domain::change::Terms::new(
                self.plan,
                self.interval,
                self.seats,
                self.add_ons.clone(),
            ),
            pending: billing_domain::change::Pending {
                seats: self.pending_seats,
                interval: self.pending_interval,
            },
            period: billing_domain::period::Period {
                start: self.current_period_start,
                end: self.current_period_end,
            },
            anchor: self.billing_anchor,
            paused: self.paused,
            pause_billed: self.pause_billed,
            discount: self.discount(),
            period_discount: self.period_discount,
            credit: Money::new(self.credit_balance, self.currency),
        }
    }

    /// This record after a period billed in full: its terms, period and
    /// discount, pending changes applied (kept when a pause month is billed).
    pub fn after_bill(&self, bill: &billing_domain::renewal::PeriodBill) -> SubscriptionRecord {
        let discount = bill.discount_after;
        SubscriptionRecord {
            plan: bill.terms.plan,
            interval: bill.terms.interval,
            seats: bill.terms.seats,
            add_ons: bill.terms.add_ons.clone(),
            billing_anchor: bill.anchor,
            current_period_start: bill.period.start,
            current_period_end: bill.period.end,
            pending_seats: if bill.pause { self.pending_seats } else { None },
            pending_interval: if bill.pause {
                self.pending_interval
            } else {
                None
            },
            pause_billed: bill.pause,
            period_discount: bill.period_discount,
            // The percent stays while this period is discounted, so voiding
            // its invoice can give the months back.
            discount_percent: discount
                .map(|d| d.percent)
                .or(self.discount_percent.filter(|_| bill.period_discount > 0)),
            discount_periods_left: discount
                .map(|d| d.months_left)
                .or((bill.period_discount > 0 && self.discount_percent.is_some()).then_some(0)),
            ..self.clone()
        }
    }

    /// The standing a recovery prices from: the open invoices of the locked
    /// periods are voided, so their credit and the discount months their
    /// period took come back.
    pub fn standing_for_recovery(
        &self,
        locked: &[InvoiceRecord],
    ) -> billing_domain::renewal::Standing {
        let mut standing = self.standing();
        let restored: i64 = locked.iter().map(|i| i.credit_applied).sum();
        standing.credit = Money::new(standing.credit.amount() + restored, self.currency);
        let locked_period_billed = locked
            .iter()
            .any(|i| i.period_start == Some(self.current_period_start));
        if let (Some(percent), true) = (self.discount_percent, locked_period_billed) {
            if percent > 0 && self.period_discount > 0 {
                let months =
                    self.period_discount / percent + self.discount_periods_left.unwrap_or(0);
                standing.discount = Some(billing_domain::renewal::Discount {
                    percent,
                    months_left: months,
                });
                standing.period_discount = 0;
            }
        }
        standing
    }
}
