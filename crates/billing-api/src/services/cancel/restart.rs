//! A period that starts now when a card is saved: reactivation within the
//! retention window and recovery from deactivated or frozen (SPEC §11).

use super::subscription;
use crate::services::charge::{self, Purpose, Settlement, Verdict};
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord, SubscriptionRecord};
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::renewal::{restart, Restart};
use billing_domain::subscription::{apply, Event};
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Utc};
use serde_json::json;

/// A period paid for (or declined) when a card was saved.
#[derive(Debug)]
pub struct Attempted {
    pub invoice_id: String,
    /// What the card was asked for.
    pub amount: Money,
    pub verdict: Verdict,
}

/// Invoices a period that starts now and applies `record` once it is paid
/// ([`charge::purchase`]), voiding `void_invoices` with it; the gateway's
/// decline is returned as a value.
#[allow(clippy::too_many_arguments)]
pub async fn pay_for_period(
    state: &AppState,
    account: &AccountRecord,
    sub: &SubscriptionRecord,
    record: SubscriptionRecord,
    bill: &billing_domain::renewal::PeriodBill,
    purpose: Purpose,
    actor: Option<&str>,
    action: AuditAction,
    void_invoices: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Attempted, ServiceError> {
    let invoice_id = charge::invoice_id();
    let reason = match purpose {
        Purpose::Recovery => "subscription_recovery",
        Purpose::Reactivation => "subscription_reactivation",
        Purpose::Resume => "subscription_resume",
        Purpose::Change => "subscription_update",
    };
    let invoice = InvoiceRecord::open(
        invoice_id.clone(),
        &account.id,
        reason,
        &bill.draft,
        (bill.period.start, bill.period.end),
        now,
    );
    let settlement = Settlement {
        purpose,
        expected_version: sub.version,
        subscription: record,
        actor: actor.map(str::to_string),
        audit_action: action,
        audit_details: json!({
            "charged": bill.draft.total, "price": bill.price, "discount": bill.discount_amount,
            "credit_applied": bill.draft.credit_applied, "period_start": bill.period.start,
            "period_end": bill.period.end, "invoice_id": invoice_id, "voided": void_invoices,
        }),
        declined_action: action.declined(),
        void_invoices,
        result: None,
    };
    let verdict = charge::purchase(
        state,
        account,
        invoice,
        &settlement,
        now,
        "Add a card first.",
    )
    .await?;
    Ok(Attempted {
        invoice_id,
        amount: bill.draft.total,
        verdict,
    })
}

/// Reactivates a canceled account within the retention window: a new
/// period starts now ([`restart`]: pending changes applied, the credit
/// balance used), charged to the card just saved.
pub async fn reactivate(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<Option<Attempted>, ServiceError> {
    let sub = subscription(state, &account.id).await?;
    if sub.status != SubscriptionStatus::Canceled {
        return Ok(None);
    }
    let to = apply(sub.status, Event::Reactivate, at)
        .map_err(|e| anyhow!(e))?
        .to;
    let mut standing = sub.standing();
    standing.paused = false;
    let bill =
        restart(&state.catalog, &standing, at, Restart::Reactivate).map_err(|e| anyhow!(e))?;
    let record = SubscriptionRecord {
        status: to,
        canceled_at: None,
        cancel_at: None,
        paused: false,
        ..sub.after_bill(&bill)
    };
    pay_for_period(
        state,
        account,
        &sub,
        record,
        &bill,
        Purpose::Reactivation,
        None,
        AuditAction::SubscriptionReactivated,
        vec![],
        at,
    )
    .await
    .map(Some)
}

/// Recovers a deactivated or frozen account when a card is saved: the
/// locked periods' open invoices are voided (never charged) and a new period
/// starts now, billed in full (SPEC §11). A paused account returns to a
/// pause month.
pub async fn recover(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<Option<Attempted>, ServiceError> {
    let sub = subscription(state, &account.id).await?;
    if !matches!(
        sub.status,
        SubscriptionStatus::Deactivated | SubscriptionStatus::Frozen
    ) {
        return Ok(None);
    }
    let to = apply(
        sub.status,
        Event::PaymentRecovered { paused: sub.paused },
        at,
    )
    .map_err(|e| anyhow!(e))?
    .to;
    let locked = state.store.open_invoices(&account.id).await?;
    // The locked invoices' credit and discount months come back when they are voided.
    let standing = sub.standing_for_recovery(&locked);
    let bill = restart(&state.catalog, &standing, at, Restart::Recover).map_err(|e| anyhow!(e))?;
    let record = SubscriptionRecord {
        status: to,
        past_due_since: None,
        grace_until: None,
        ..sub.after_bill(&bill)
    };
    pay_for_period(
        state,
        account,
        &sub,
        record,
        &bill,
        Purpose::Recovery,
        None,
        AuditAction::SubscriptionReactivated,
        locked.into_iter().map(|i| i.id).collect(),
        at,
    )
    .await
    .map(Some)
}
