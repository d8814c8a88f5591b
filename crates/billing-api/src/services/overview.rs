//! Plans & Billing: the account's subscription as the overview shows it.

use crate::services::auth;
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::store::{AccountRecord, OverviewRecord};
use anyhow::anyhow;
use billing_domain::change::Pending;
use billing_domain::renewal::{next_renewal, restart, Restart};
use billing_domain::wire::{BillingOverview, CardBrand, NextBill, PaymentMethodSummary, Seats};
use billing_domain::Money;
use billing_domain::Permission;

/// Builds the overview of `account`'s billing.
pub async fn billing_overview(
    state: &AppState,
    account: &AccountRecord,
) -> Result<BillingOverview, ServiceError> {
    let read = state
        .store
        .overview(&account.id)
        .await?
        .ok_or_else(|| anyhow!("account {} has no subscription", account.id))?;
    build(state, account, read)
}

/// Plans & Billing for the user a session token signs in, who may read
/// billing. The session, whom it signs in and the overview are read in one
/// query; the session is then judged as every request's is.
pub async fn for_session(state: &AppState, token: &str) -> Result<BillingOverview, ServiceError> {
    let hash = crate::services::password::hash_token(token);
    let (record, read) = match state.store.session_overview(&hash).await? {
        Some((record, read)) => (Some(record), read),
        None => (None, None),
    };
    let actor = auth::admit(state, hash, record).await?;
    actor.require(Permission::BillingRead)?;
    let read = read.ok_or_else(|| anyhow!("account {} has no subscription", actor.account.id))?;
    build(state, &actor.account, read)
}

/// The overview of `account` from what was read of it.
fn build(
    state: &AppState,
    account: &AccountRecord,
    read: OverviewRecord,
) -> Result<BillingOverview, ServiceError> {
    let OverviewRecord {
        subscription: sub,
        seat_holders,
        payment_method: card,
        open_invoices: open,
    } = read;
    let now = state.now_for(account);
    let used = seat_holders.len() as u32;
    let plan = state.catalog.plan(sub.plan);
    let amount_due = Money::sum(
        sub.currency,
        open.iter().map(|i| Money::new(i.total, i.currency)),
    )
    .map_err(|e| anyhow!(e))?;
    let (next_charge, next_bill) = next_charge(state, &sub, &open, now, amount_due)?;
    let payment_method = card
        .map(|pm| -> Result<PaymentMethodSummary, ServiceError> {
            Ok(PaymentMethodSummary {
                brand: CardBrand::parse(&pm.brand)
                    .ok_or_else(|| anyhow!("card brand `{}`", pm.brand))?,
                last4: pm.last4,
                exp_month: pm.exp_month,
                exp_year: pm.exp_year,
            })
        })
        .transpose()?;
    Ok(BillingOverview {
        status: sub.status,
        plan: sub.plan,
        plan_name: plan.name.clone(),
        contract: plan.contract,
        interval: sub.interval,
        seats: Seats {
            purchased: sub.seats,
            used,
        },
        add_ons: sub.add_ons.clone(),
        current_period_start: sub.current_period_start,
        current_period_end: sub.current_period_end,
        next_charge,
        next_charge_date: sub.status.renews().then_some(sub.current_period_end),
        payment_method,
        credit_balance: Money::new(sub.credit_balance, sub.currency),
        credit_held: Money::new(sub.credit_held, sub.currency),
        next_bill,
        amount_due,
        grace_until: sub.grace_until,
        // A day that has begun counts: 2 days and 23 hours left is "3 days".
        grace_days_left: sub
            .grace_until
            .map(|g| ((g - now).num_seconds().max(0) + 86_399) / 86_400),
        as_of: now,
        pending: Pending {
            seats: sub.pending_seats,
            interval: sub.pending_interval,
        },
        pending_effective_at: (sub.pending_seats.is_some() || sub.pending_interval.is_some())
            .then_some(sub.current_period_end),
        seat_holders,
        cancel_at: sub.cancel_at,
        canceled_at: sub.canceled_at,
        data_deleted_at: sub.canceled_at.map(|at| {
            at + chrono::Duration::days(i64::from(state.cancel_flow.file.retention_days))
        }),
        discount: sub.discount(),
        current_period_discounted: sub.period_discount > 0,
        version: sub.version,
    })
}

/// What the card will be charged next, computed by the same domain function
/// that will bill it: the renewal for an active or paused subscription, the
/// new period a card starts for a locked or canceled one, what is owed while
/// past due, nothing once a cancellation is scheduled.
fn next_charge(
    state: &AppState,
    sub: &crate::store::SubscriptionRecord,
    open: &[crate::store::InvoiceRecord],
    now: chrono::DateTime<chrono::Utc>,
    amount_due: Money,
) -> Result<(Money, Option<NextBill>), ServiceError> {
    use billing_domain::SubscriptionStatus::*;
    let mut standing = sub.standing();
    let mut voids = Vec::new();
    let bill = match sub.status {
        Active | Paused => next_renewal(&state.catalog, &standing),
        Deactivated | Frozen => {
            standing = sub.standing_for_recovery(open);
            voids = open
                .iter()
                .map(crate::mail::templates::invoice_number)
                .collect();
            restart(&state.catalog, &standing, now, Restart::Recover)
        }
        Canceled => {
            standing.paused = false;
            restart(&state.catalog, &standing, now, Restart::Reactivate)
        }
        PastDue => return Ok((amount_due, None)),
        CancelScheduled | Deleted => return Ok((Money::zero(sub.currency), None)),
    }
    .map_err(|e| anyhow!(e))?;
    let unused: i64 = bill
        .draft
        .lines
        .iter()
        .filter(|l| l.kind == billing_domain::invoice::LineKind::Proration)
        .map(|l| -l.amount.amount())
        .sum();
    Ok((
        bill.draft.total,
        Some(NextBill {
            period_start: bill.period.start,
            period_end: bill.period.end,
            price: bill.price,
            discount: bill.discount_amount,
            credit_applied: bill.draft.credit_applied,
            unused_credit: Money::new(unused, sub.currency),
            amount: bill.draft.total,
            starts_now: !matches!(sub.status, Active | Paused),
            voids,
            pause: bill.pause,
        }),
    ))
}
