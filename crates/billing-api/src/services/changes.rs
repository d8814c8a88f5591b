//! Manage Subscription: preview a change, and make exactly that change.
//!
//! Both run the same [`billing_domain::change::quote`] on the same inputs,
//! so what the preview shows is what the change charges and credits.

use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::charge::{self, Purpose, Settlement};
use crate::services::error::ServiceError;
use crate::services::overview::billing_overview;
use crate::state::AppState;
use crate::store::{InvoiceRecord, SubscriptionRecord, Write};
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::change::{quote, ChangeError, ChangeRequest, Current, Pending, Quote, Terms};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::period::Period;
use billing_domain::wire::{NextRenewal, SubscriptionChangeResult, SubscriptionPreview};
use billing_domain::Permission;
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// How far back a preview's `proration_date` may be sent with the change.
const PRORATION_DATE_WINDOW_MINUTES: i64 = 60;

fn change_error(e: ChangeError, holders: &[String]) -> ServiceError {
    let mut message = e.to_string();
    if let ChangeError::SeatsBelowActiveUsers { .. } = e {
        message = format!("{message} Seats are held by {}.", holders.join(", "));
    }
    match e.param() {
        Some(param) => ServiceError::invalid(param, e.code(), message),
        None => ServiceError::Invalid {
            code: e.code(),
            message,
            param: None,
        },
    }
}

/// The inputs of a quote, loaded fresh.
pub struct Loaded {
    pub sub: SubscriptionRecord,
    pub current: Current,
    pub holders: Vec<String>,
}

async fn load(state: &AppState, current_user: &Actor) -> Result<Loaded, ServiceError> {
    let account = &current_user.account;
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("account {} has no subscription", account.id))?;
    let holders: Vec<String> = state
        .store
        .users_of_account(&account.id)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| u.name)
        .collect();
    let current = Current {
        terms: Terms::new(sub.plan, sub.interval, sub.seats, sub.add_ons.clone()),
        period: Period {
            start: sub.current_period_start,
            end: sub.current_period_end,
        },
        anchor: sub.billing_anchor,
        credit_balance: Money::new(sub.credit_balance, sub.currency),
        pending: Pending {
            seats: sub.pending_seats,
            interval: sub.pending_interval,
        },
        active_users: holders.len() as u32,
        discount: sub.discount(),
        period_discount: sub.period_discount,
    };
    Ok(Loaded {
        sub,
        current,
        holders,
    })
}

/// The moment to prorate at: the preview's `proration_date` when sent back
/// (within the last hour and the current period), else now.
fn proration_moment(
    request: &ChangeRequest,
    now: DateTime<Utc>,
    period: Period,
) -> Result<DateTime<Utc>, ServiceError> {
    match request.proration_date {
        None => Ok(now),
        Some(at) => {
            let recent = at <= now && now - at <= Duration::minutes(PRORATION_DATE_WINDOW_MINUTES);
            if recent && at >= period.start && at < period.end {
                Ok(at)
            } else {
                Err(change_error(ChangeError::ProrationDate, &[]))
            }
        }
    }
}

fn preview_of(q: &Quote, at: DateTime<Utc>) -> SubscriptionPreview {
    SubscriptionPreview {
        amount_due_today: q.today.total,
        credit_applied: q.today.credit_applied,
        credit_created: q.today.credit_created,
        credit_balance_after: q.today.credit_balance_after,
        lines: q.today.lines.clone(),
        next_renewal: NextRenewal {
            date: q.renewal_date,
            amount: q.renewal_amount,
            price: q.renewal_price,
            discount: q.renewal.discount_amount,
            credit_applied: q.renewal.draft.credit_applied,
        },
        proration_date: at,
        terms: q.terms_now.clone(),
        pending: q.pending.clone(),
        restarts_period: q.restarts_period,
    }
}

fn ensure_changeable(status: SubscriptionStatus) -> Result<(), ServiceError> {
    if status == SubscriptionStatus::Active {
        Ok(())
    } else {
        Err(ServiceError::Conflict {
            code: "subscription_not_active",
            message: format!(
                "The subscription is {} and can't be changed now. {}",
                status.label().to_lowercase(),
                match status {
                    SubscriptionStatus::PastDue
                    | SubscriptionStatus::Deactivated
                    | SubscriptionStatus::Frozen => "Update the payment method first.",
                    _ => "Resume it first.",
                }
            ),
        })
    }
}

/// What a change would do, without doing it.
pub async fn preview(
    state: &AppState,
    user: &Actor,
    request: &ChangeRequest,
) -> Result<SubscriptionPreview, ServiceError> {
    user.require(Permission::BillingRead)?;
    let loaded = load(state, user).await?;
    ensure_changeable(loaded.sub.status)?;
    let at = proration_moment(request, state.now_for(&user.account), loaded.current.period)?;
    let q = quote(&state.catalog, &loaded.current, request, at)
        .map_err(|e| change_error(e, &loaded.holders))?;
    Ok(preview_of(&q, at))
}

/// Makes the change. A change that costs money writes its open invoice
/// (with what paying it does) first, then charges the card under the
/// invoice's attempt key; the new terms, ledger entries, audit line and
/// receipt are applied with the payment. A decline changes nothing.
/// `if_match` is the version the user saw; a stale one is refused.
/// `request_key` ties the invoice to the request, so a retry of a request
/// whose charge could not be recorded finishes it instead of charging again.
pub async fn apply(
    state: &AppState,
    user: &Actor,
    request: &ChangeRequest,
    if_match: Option<i64>,
    request_key: Option<&str>,
) -> Result<SubscriptionChangeResult, ServiceError> {
    user.require(Permission::BillingManage)?;
    let account = &user.account;
    // One change at a time per account (the scheduler takes the same lock).
    let _guard = state.account_lock(&account.id).await?;
    let now = state.now_for(account);
    charge::reconcile(state, account, now).await?;
    if let Some(key) = request_key {
        if let Some(done) = state.store.invoice_by_request_key(key).await? {
            return finished(state, account, &done).await;
        }
    }
    let loaded = load(state, user).await?;
    let sub = &loaded.sub;
    if let Some(expected) = if_match {
        if expected != sub.version {
            return Err(ServiceError::StaleVersion);
        }
    }
    ensure_changeable(sub.status)?;
    let at = proration_moment(request, now, loaded.current.period)?;
    let q = quote(&state.catalog, &loaded.current, request, at)
        .map_err(|e| change_error(e, &loaded.holders))?;
    let preview = preview_of(&q, at);
    let invoice_id = charge::invoice_id();
    let amount = q.today.total;
    let new_sub = SubscriptionRecord {
        plan: q.terms_now.plan,
        interval: q.terms_now.interval,
        seats: q.terms_now.seats,
        add_ons: q.terms_now.add_ons.clone(),
        billing_anchor: q.anchor,
        current_period_start: q.period.start,
        current_period_end: q.period.end,
        pending_seats: q.pending.seats,
        pending_interval: q.pending.interval,
        discount_percent: q.discount_after.map(|d| d.percent),
        discount_periods_left: q.discount_after.map(|d| d.months_left),
        period_discount: q.period_discount,
        ..sub.clone()
    };
    let has_invoice = !q.today.lines.is_empty();
    let details = json!({
        "from": loaded.current.terms, "to": q.terms_now, "pending": q.pending,
        "amount_charged": amount, "credit_applied": q.today.credit_applied,
        "credit_created": q.today.credit_created, "invoice_id": has_invoice.then_some(&invoice_id),
        "proration_date": at,
    });
    let mut invoice = InvoiceRecord::open(
        invoice_id.clone(),
        &account.id,
        "subscription_update",
        &q.today,
        (at.max(q.period.start), q.period.end),
        at,
    );
    invoice.request_key = request_key.map(str::to_string);
    let settlement = Settlement {
        purpose: Purpose::Change,
        expected_version: sub.version,
        subscription: new_sub,
        actor: Some(user.user.id.clone()),
        audit_action: AuditAction::SubscriptionChanged,
        audit_details: details,
        declined_action: AuditAction::SubscriptionChangeDeclined,
        void_invoices: vec![],
        result: Some(serde_json::to_value(&preview).map_err(anyhow::Error::from)?),
    };
    charge::purchase(
        state,
        account,
        invoice,
        &settlement,
        at,
        "Add a payment method before making a change that costs money.",
    )
    .await?
    .paid_or_declined()?;
    let overview = billing_overview(state, account).await?;
    Ok(SubscriptionChangeResult {
        change: preview,
        invoice_id: has_invoice.then_some(invoice_id),
        overview,
    })
}

/// The answer to a retried change whose invoice already exists.
async fn finished(
    state: &AppState,
    account: &crate::store::AccountRecord,
    invoice: &InvoiceRecord,
) -> Result<SubscriptionChangeResult, ServiceError> {
    match invoice.status {
        InvoiceStatus::Paid => {
            let settlement: Settlement = serde_json::from_str(
                invoice
                    .settlement
                    .as_deref()
                    .ok_or_else(|| anyhow!("change invoice without settlement"))?,
            )
            .map_err(anyhow::Error::from)?;
            let change: SubscriptionPreview = serde_json::from_value(
                settlement
                    .result
                    .ok_or_else(|| anyhow!("change invoice without its preview"))?,
            )
            .map_err(anyhow::Error::from)?;
            Ok(SubscriptionChangeResult {
                change,
                invoice_id: Some(invoice.id.clone()),
                overview: billing_overview(state, account).await?,
            })
        }
        _ => Err(ServiceError::CardDeclined {
            code: "card_declined",
            message: "Your card was declined.",
        }),
    }
}

/// Undoes a pending change (`seats` or `interval`); undoing nothing is fine.
pub async fn undo_pending(
    state: &AppState,
    user: &Actor,
    kind: &str,
    if_match: Option<i64>,
) -> Result<(), ServiceError> {
    user.require(Permission::BillingManage)?;
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await?;
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("account {} has no subscription", account.id))?;
    if let Some(expected) = if_match {
        if expected != sub.version {
            return Err(ServiceError::StaleVersion);
        }
    }
    let (was, new_sub) = match kind {
        "seats" => (
            sub.pending_seats.map(|s| json!(s)),
            SubscriptionRecord {
                pending_seats: None,
                ..sub.clone()
            },
        ),
        "interval" => (
            sub.pending_interval.map(|i| json!(i)),
            SubscriptionRecord {
                pending_interval: None,
                ..sub.clone()
            },
        ),
        _ => return Err(ServiceError::NotFound("pending change")),
    };
    let Some(was) = was else {
        return Ok(());
    };
    let now = state.now_for(account);
    state
        .store
        .commit(vec![
            Write::Subscription {
                record: new_sub,
                expected_version: sub.version,
            },
            audit(
                &account.id,
                Some(&user.user.id),
                AuditAction::SubscriptionPendingChangeUndone,
                json!({ "kind": kind, "was": was }),
                now,
            ),
        ])
        .await?;
    Ok(())
}
