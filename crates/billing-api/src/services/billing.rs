//! The billing engine's use cases: renew a period, collect an open invoice,
//! deactivate after grace, remind before a freeze.
//!
//! Each decides with `billing-domain`, then commits one batch: the
//! subscription (checked against its version), the invoice, the audit line
//! and the e-mail together, guarded by a once-only marker, so running the
//! same work twice for the same moment has no second effect.

use crate::ids::new_id;
use crate::mail::{self, templates};
use crate::services::audit::audit;
pub use crate::services::charge::{collect, Attempt};
use crate::services::error::ServiceError;
use crate::services::ledger;
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord, StoreError, SubscriptionRecord, Write};
use anyhow::{anyhow, Context};
use billing_domain::audit::AuditAction;
use billing_domain::invoice::InvoiceStatus;
use billing_domain::renewal::next_renewal;
use billing_domain::subscription::{apply, Event};
use billing_domain::Money;
use chrono::{DateTime, Utc};
use serde_json::json;

/// How many times a batch is retried when the subscription changed under it.
const VERSION_RETRIES: usize = 8;

async fn load_subscription(
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<SubscriptionRecord> {
    state
        .store
        .subscription(account_id)
        .await?
        .ok_or_else(|| anyhow!("account {account_id} has no subscription"))
}

/// Commits the batch `build` makes from a fresh read of the subscription,
/// retrying on a version conflict. `Ok(false)` when a once-only marker says
/// the work was already done.
async fn commit_fresh<F>(state: &AppState, account_id: &str, mut build: F) -> anyhow::Result<bool>
where
    F: FnMut(&SubscriptionRecord) -> anyhow::Result<Vec<Write>>,
{
    for _ in 0..VERSION_RETRIES {
        let sub = load_subscription(state, account_id).await?;
        let writes = build(&sub)?;
        match state.store.commit(writes).await {
            Ok(()) => return Ok(true),
            Err(StoreError::AlreadyDone(_)) => return Ok(false),
            Err(StoreError::VersionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(anyhow!(
        "the subscription of {account_id} kept changing; gave up"
    ))
}

/// What open invoices owe.
pub async fn amount_due(
    state: &AppState,
    account_id: &str,
    currency: billing_domain::Currency,
) -> Result<Money, ServiceError> {
    let open = state.store.open_invoices(account_id).await?;
    Ok(Money::sum(
        currency,
        open.iter().map(|i| Money::new(i.total, i.currency)),
    )?)
}

/// Renews the subscription at the end of its period (`at` is that end):
/// opens the next period as [`next_renewal`] prices it (pending changes,
/// discount, credit), then charges the card. With no card on file, the
/// account is frozen instead.
pub async fn renew(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let contact = mail::billing_contact(state, account).await?;
    let card = state.store.default_payment_method(&account.id).await?;
    let invoice_id = new_id("in");
    let mut opened: Option<InvoiceRecord> = None;
    let done = commit_fresh(state, &account.id, |sub| {
        let (writes, invoice) = renewal_writes(
            state,
            account,
            sub,
            card.is_some(),
            &contact,
            &invoice_id,
            at,
        )?;
        opened = Some(invoice);
        Ok(writes)
    })
    .await?;
    if !done {
        return Ok(());
    }
    let invoice = opened.context("renewal built no invoice")?;
    if invoice.status == InvoiceStatus::Open && card.is_some() {
        // A decline is recorded by `collect` itself (past due, audit, e-mail).
        let _verdict = collect(state, account, &invoice.id, at, Attempt::Renewal).await?;
    }
    Ok(())
}

/// What renewing `sub` at `at` (the end of its period) writes, in one
/// batch: the once-only marker of the new period, the audit line, the
/// subscription in its next period, the invoice `invoice_id` (paid at once
/// when credit covers it, with its receipt), the credit it used, and with
/// no card (`has_card` false) the freeze and its e-mail. Returns the writes
/// and the invoice; an open one is then charged.
pub fn renewal_writes(
    state: &AppState,
    account: &AccountRecord,
    sub: &SubscriptionRecord,
    has_card: bool,
    contact: &crate::mail::BillingContact,
    invoice_id: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<(Vec<Write>, InvoiceRecord)> {
    let bill = next_renewal(&state.catalog, &sub.standing())?;
    let draft = &bill.draft;
    let paid_by_credit = draft.total.is_zero();
    let mut new_sub = sub.after_bill(&bill);
    let mut invoice = InvoiceRecord::open(
        invoice_id.to_string(),
        &account.id,
        "subscription_cycle",
        draft,
        (bill.period.start, bill.period.end),
        at,
    );
    invoice = crate::services::invoices::issue(state, invoice, contact);
    if paid_by_credit {
        invoice.status = InvoiceStatus::Paid;
        invoice.paid_at = Some(at);
    }
    let mut writes = vec![
        Write::Once {
            marker: format!("renew:{}:{}", account.id, bill.period.start.timestamp()),
            account_id: account.id.clone(),
            at,
        },
        audit(
            &account.id,
            None,
            AuditAction::SubscriptionRenewed,
            json!({
                "period_start": bill.period.start, "period_end": bill.period.end, "invoice_id": invoice_id,
                "total": draft.total, "credit_applied": draft.credit_applied, "discount": bill.discount_amount,
                "seats": bill.terms.seats, "interval": bill.terms.interval, "pause": bill.pause,
                "pending_applied": { "seats": sub.pending_seats, "interval": sub.pending_interval },
            }),
            at,
        ),
    ];
    if !has_card && !paid_by_credit {
        let t = apply(sub.status, Event::PeriodEndedWithoutCard, at)?;
        new_sub.status = t.to;
        writes.push(audit(
            &account.id,
            None,
            AuditAction::SubscriptionFrozen,
            json!({ "from": t.from, "to": t.to }),
            at,
        ));
        writes.push(mail::to_user(
            &account.id,
            contact,
            &templates::frozen(account, &invoice),
            at,
        ));
    }
    if paid_by_credit {
        writes.push(mail::to_user(
            &account.id,
            contact,
            &templates::invoice_paid(account, &invoice, at),
            at,
        ));
    }
    writes.push(Write::Subscription {
        record: new_sub,
        expected_version: sub.version,
    });
    writes.push(Write::InsertInvoice(invoice.clone()));
    writes.extend(ledger::credit_writes(&invoice, at));
    writes.extend(crate::services::credit_notes::for_unused_time(
        state, &invoice, at,
    ));
    Ok((writes, invoice))
}

/// Ends the grace period: a past-due account becomes deactivated.
pub async fn deactivate(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let contact = mail::billing_contact(state, account).await?;
    let currency = state.catalog.currency();
    let due = amount_due(state, &account.id, currency).await?;
    commit_fresh(state, &account.id, |sub| {
        let t = apply(sub.status, Event::GraceExpired, at)?;
        Ok(vec![
            Write::Once {
                marker: format!(
                    "deactivate:{}:{}",
                    account.id,
                    sub.grace_until.map(|g| g.timestamp()).unwrap_or(0)
                ),
                account_id: account.id.clone(),
                at,
            },
            Write::Subscription {
                record: SubscriptionRecord {
                    status: t.to,
                    grace_until: None,
                    ..sub.clone()
                },
                expected_version: sub.version,
            },
            audit(
                &account.id,
                None,
                AuditAction::SubscriptionDeactivated,
                json!({ "from": t.from, "to": t.to, "amount_due": due }),
                at,
            ),
            mail::to_user(
                &account.id,
                &contact,
                &templates::deactivated(account, due),
                at,
            ),
        ])
    })
    .await?;
    Ok(())
}

/// The once-only marker of a grace-ending notice.
pub fn grace_ending_marker(account_id: &str, grace_until: DateTime<Utc>) -> String {
    format!("grace_ending:{account_id}:{}", grace_until.timestamp())
}

/// Warns, a day ahead, that grace is ending.
pub async fn warn_grace_ending(
    state: &AppState,
    account: &AccountRecord,
    grace_until: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let contact = mail::billing_contact(state, account).await?;
    let due = amount_due(state, &account.id, state.catalog.currency()).await?;
    let writes = vec![
        Write::Once {
            marker: grace_ending_marker(&account.id, grace_until),
            account_id: account.id.clone(),
            at,
        },
        mail::to_user(
            &account.id,
            &contact,
            &templates::grace_ending(account, due, grace_until),
            at,
        ),
    ];
    match state.store.commit(writes).await {
        Ok(()) | Err(StoreError::AlreadyDone(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The once-only marker of a freeze reminder.
pub fn freeze_reminder_marker(account_id: &str, period_end: DateTime<Utc>, days: i64) -> String {
    format!(
        "freeze_reminder:{account_id}:{}:{days}",
        period_end.timestamp()
    )
}

/// Reminds, `days` before the period ends, that no card is on file.
pub async fn remind_no_card(
    state: &AppState,
    account: &AccountRecord,
    days: i64,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let contact = mail::billing_contact(state, account).await?;
    let sub = load_subscription(state, &account.id).await?;
    // What the renewal will charge, exactly as the renewal computes it.
    let next = next_renewal(&state.catalog, &sub.standing())
        .map_err(anyhow::Error::from)?
        .draft
        .total;
    let writes = vec![
        Write::Once {
            marker: freeze_reminder_marker(&account.id, sub.current_period_end, days),
            account_id: account.id.clone(),
            at,
        },
        mail::to_user(
            &account.id,
            &contact,
            &templates::freeze_reminder(account, days, sub.current_period_end, next),
            at,
        ),
    ];
    match state.store.commit(writes).await {
        Ok(()) | Err(StoreError::AlreadyDone(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
