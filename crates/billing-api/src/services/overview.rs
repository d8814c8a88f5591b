//! Plans & Billing: the account's subscription as the overview shows it.

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::AccountRecord;
use anyhow::anyhow;
use billing_domain::change::Pending;
use billing_domain::wire::{BillingOverview, CardBrand, PaymentMethodSummary, Seats};
use billing_domain::Money;

/// Builds the overview of `account`'s billing.
pub async fn billing_overview(
    state: &AppState,
    account: &AccountRecord,
) -> Result<BillingOverview, ApiError> {
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("account {} has no subscription", account.id))?;
    let users = state.store.users_of_account(&account.id).await?;
    let now = state.now_for(account);
    let used = users.iter().filter(|u| u.active).count() as u32;
    let card = state.store.default_payment_method(&account.id).await?;
    let plan = state.catalog.plan(sub.plan);
    let next_charge = if sub.status == billing_domain::SubscriptionStatus::Paused {
        state.catalog.pause_monthly_price()
    } else {
        let seats = sub.pending_seats.unwrap_or(sub.seats);
        let interval = sub.pending_interval.unwrap_or(sub.interval);
        state
            .catalog
            .period_price(sub.plan, interval, seats, &sub.add_ons)
            .ok_or_else(|| anyhow!("{} is not sold {:?}", sub.plan, interval))?
    };
    let payment_method = card
        .map(|pm| -> Result<PaymentMethodSummary, ApiError> {
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
        amount_due: crate::services::billing::amount_due(state, &account.id, sub.currency).await?,
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
        seat_holders: users
            .iter()
            .filter(|u| u.active)
            .map(|u| u.name.clone())
            .collect(),
        cancel_at: sub.cancel_at,
        canceled_at: sub.canceled_at,
        data_deleted_at: sub.canceled_at.map(|at| {
            at + chrono::Duration::days(i64::from(state.cancel_flow.file.retention_days))
        }),
        discount_percent: sub
            .discount_percent
            .filter(|_| sub.discount_periods_left.unwrap_or(0) > 0),
        discount_periods_left: sub.discount_periods_left.filter(|n| *n > 0),
        version: sub.version,
    })
}
