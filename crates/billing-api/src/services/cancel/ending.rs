//! Ending a subscription: scheduling and withdrawing a cancellation, its
//! taking effect (at the period end or now, with a refund), and the
//! deletion of the data when the retention window closes.

use super::finish_session;
use super::refund::refund_quote_for;
use super::{commit, conflict, subscription, transition};
use crate::mail::{self, templates};
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::error::ServiceError;
use crate::services::ledger;
use crate::services::overview::billing_overview;
use crate::state::AppState;
use crate::store::{AccountRecord, StoreError, SubscriptionRecord, Write};
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::cancel_flow::{confirms, consequences, AccessEnds};
use billing_domain::ledger::LedgerKind;
use billing_domain::refund::{RefundKind, RefundQuote};
use billing_domain::subscription::{apply, Event};
use billing_domain::wire::{BillingOverview, CancelRequest, RefundResult};
use billing_domain::Permission;
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// Cancels: at the period end (or at once, where the policy says so), after
/// `CONFIRM` and every consequence acknowledged.
pub async fn cancel(
    state: &AppState,
    user: &Actor,
    body: &CancelRequest,
) -> Result<BillingOverview, ServiceError> {
    user.require(Permission::AccountCancel)?;
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await?;
    let sub = subscription(state, &account.id).await?;
    if state.catalog.plan(sub.plan).contract {
        return Err(conflict(
            "contract_plan",
            "Contract plans are cancelled with your Customer Success Manager: request a meeting instead.",
        ));
    }
    if sub.status == SubscriptionStatus::CancelScheduled {
        return Err(conflict(
            "already_scheduled",
            "The subscription is already scheduled to cancel.",
        ));
    }
    if !confirms(&body.confirmation) {
        return Err(ServiceError::invalid(
            "confirmation",
            "confirmation_mismatch",
            "Type CONFIRM in capital letters to cancel. Nothing was changed.",
        ));
    }
    let now = state.now_for(account);
    let credit = Money::new(sub.credit_balance, sub.currency);
    let shown = consequences(
        &state.cancel_flow,
        now,
        sub.current_period_end,
        credit,
        templates::date,
    );
    if let Some(missing) = shown.iter().find(|c| !body.acknowledged.contains(&c.id)) {
        return Err(ServiceError::invalid(
            "acknowledged",
            "not_acknowledged",
            format!("Acknowledge each consequence first: {}", missing.text),
        ));
    }
    let contact = mail::billing_contact(state, account).await?;
    let session = finish_session(
        state,
        body.session_id.as_deref(),
        user,
        "canceled",
        None,
        now,
    )
    .await?;
    match state.cancel_flow.file.access_ends {
        AccessEnds::PeriodEnd => {
            let to = transition(&sub, Event::ScheduleCancel, now)?;
            let at = sub.current_period_end;
            let mut writes = vec![
                Write::Subscription {
                    record: SubscriptionRecord {
                        status: to,
                        cancel_at: Some(at),
                        ..sub.clone()
                    },
                    expected_version: sub.version,
                },
                audit(
                    &account.id,
                    Some(&user.user.id),
                    AuditAction::SubscriptionCancelScheduled,
                    json!({ "cancel_at": at }),
                    now,
                ),
                mail::to_user(
                    &account.id,
                    &contact,
                    &templates::cancellation_scheduled(account, at),
                    now,
                ),
            ];
            writes.extend(session);
            commit(state, writes).await?;
        }
        AccessEnds::Immediately => {
            let refund = refund_quote_for(state, account, &sub, now).await?;
            end_now(state, user, &sub, refund, now, session).await?;
        }
    }
    billing_overview(state, account).await
}

/// Withdraws a scheduled cancellation.
pub async fn resume_cancellation(
    state: &AppState,
    user: &Actor,
) -> Result<BillingOverview, ServiceError> {
    user.require(Permission::BillingManage)?;
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await?;
    let sub = subscription(state, &account.id).await?;
    if matches!(
        sub.status,
        SubscriptionStatus::Active | SubscriptionStatus::Paused
    ) {
        return billing_overview(state, account).await;
    }
    let now = state.now_for(account);
    let to = transition(&sub, Event::ResumeCancellation { paused: sub.paused }, now)?;
    let contact = mail::billing_contact(state, account).await?;
    commit(
        state,
        vec![
            Write::Subscription {
                record: SubscriptionRecord {
                    status: to,
                    cancel_at: None,
                    ..sub.clone()
                },
                expected_version: sub.version,
            },
            audit(
                &account.id,
                Some(&user.user.id),
                AuditAction::SubscriptionCancellationWithdrawn,
                json!({ "was": sub.cancel_at }),
                now,
            ),
            mail::to_user(
                &account.id,
                &contact,
                &templates::cancellation_withdrawn(account),
                now,
            ),
        ],
    )
    .await?;
    billing_overview(state, account).await
}

pub(super) async fn end_now(
    state: &AppState,
    user: &Actor,
    sub: &SubscriptionRecord,
    refund: Option<RefundQuote>,
    now: DateTime<Utc>,
    session: Option<Write>,
) -> Result<Option<RefundQuote>, ServiceError> {
    let account = &user.account;
    let to = transition(sub, Event::CancelNow, now)?;
    let mut writes = Vec::new();
    let mut refund_ids = Vec::new();
    if let Some(quote) = &refund {
        // Card money back charge by charge, each under a key of its own, so
        // a retry never refunds twice.
        for part in &quote.card_refunds {
            let key = format!(
                "refund:{}:{}",
                part.charge_id,
                sub.current_period_start.timestamp()
            );
            let refund_id = state
                .gateway
                .refund(&part.charge_id, part.amount, &key, now)
                .await?;
            writes.push(ledger::entry(
                &account.id,
                LedgerKind::CardRefund,
                part.amount,
                None,
                Some(&refund_id),
                Some(&part.charge_id),
                "Refunded to your card",
                now,
            ));
            refund_ids.push(refund_id);
        }
        if !quote.to_balance.is_zero() {
            writes.push(ledger::entry(
                &account.id,
                LedgerKind::CreditGranted,
                quote.to_balance,
                None,
                None,
                None,
                match quote.kind {
                    RefundKind::Full => "Refund of credit paid for the period",
                    RefundKind::Partial => "Partial refund of the unused period",
                },
                now,
            ));
        }
    }
    let contact = mail::billing_contact(state, account).await?;
    if let Some(quote) = &refund {
        let refunded = super::refund::refunded_invoice(state, account, sub).await?;
        writes.extend(crate::services::credit_notes::for_refund(
            state,
            &account.id,
            refunded.as_ref(),
            quote,
            &contact,
            now,
        ));
    }
    let deleted = now + Duration::days(i64::from(state.cancel_flow.file.retention_days));
    writes.extend([
        Write::Subscription {
            record: SubscriptionRecord {
                status: to,
                canceled_at: Some(now),
                cancel_at: None,
                paused: false,
                ..sub.clone()
            },
            expected_version: sub.version,
        },
        audit(
            &account.id,
            Some(&user.user.id),
            AuditAction::SubscriptionCanceled,
            json!({ "at": now, "refund": refund.as_ref(), "refund_ids": refund_ids }),
            now,
        ),
        mail::to_user(
            &account.id,
            &contact,
            &templates::cancellation_effective(account, now, deleted, refund.as_ref()),
            now,
        ),
    ]);
    writes.extend(session);
    commit(state, writes).await?;
    Ok(refund)
}

/// A scheduled cancellation takes effect at the period end.
pub async fn take_effect(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("no subscription"))?;
    let to = apply(sub.status, Event::CancellationTakesEffect, at)?.to;
    let contact = mail::billing_contact(state, account).await?;
    let deleted = at + Duration::days(i64::from(state.cancel_flow.file.retention_days));
    let writes = vec![
        Write::Once {
            marker: format!("cancel_effective:{}:{}", account.id, at.timestamp()),
            account_id: account.id.clone(),
            at,
        },
        Write::Subscription {
            record: SubscriptionRecord {
                status: to,
                canceled_at: Some(at),
                cancel_at: None,
                ..sub.clone()
            },
            expected_version: sub.version,
        },
        audit(
            &account.id,
            None,
            AuditAction::SubscriptionCanceled,
            json!({ "at": at, "data_deleted_at": deleted }),
            at,
        ),
        mail::to_user(
            &account.id,
            &contact,
            &templates::cancellation_effective(account, at, deleted, None),
            at,
        ),
    ];
    match state.store.commit(writes).await {
        Ok(()) | Err(StoreError::AlreadyDone(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The retention window ended: the account's data is deleted for good.
pub async fn delete_data(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("no subscription"))?;
    let to = apply(sub.status, Event::RetentionExpired, at)?.to;
    let writes = vec![
        Write::Once {
            marker: format!("delete:{}", account.id),
            account_id: account.id.clone(),
            at,
        },
        Write::DeleteAccountData {
            account_id: account.id.clone(),
            at,
        },
        Write::Subscription {
            record: SubscriptionRecord {
                status: to,
                credit_balance: 0,
                ..sub.clone()
            },
            expected_version: sub.version,
        },
    ];
    match state.store.commit(writes).await {
        Ok(()) | Err(StoreError::AlreadyDone(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The owner ends the subscription now and takes the refund it is due.
pub async fn request_refund(
    state: &AppState,
    user: &Actor,
    confirmation: &str,
) -> Result<RefundResult, ServiceError> {
    user.require(Permission::Refund)?;
    if !confirms(confirmation) {
        return Err(ServiceError::invalid(
            "confirmation",
            "confirmation_mismatch",
            "Type CONFIRM in capital letters: a refund ends the subscription now. Nothing was changed.",
        ));
    }
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await?;
    let sub = subscription(state, &account.id).await?;
    if state.catalog.plan(sub.plan).contract {
        return Err(conflict(
            "contract_plan",
            "Refunds on contract plans go through your Customer Success Manager.",
        ));
    }
    let now = state.now_for(account);
    let refund = refund_quote_for(state, account, &sub, now)
        .await?
        .ok_or_else(|| conflict("nothing_to_refund", "There is no paid period to refund."))?;
    let quote = end_now(state, user, &sub, Some(refund), now, None)
        .await?
        .ok_or_else(|| anyhow!("refund lost"))?;
    Ok(RefundResult {
        refund: quote,
        overview: billing_overview(state, account).await?,
    })
}
