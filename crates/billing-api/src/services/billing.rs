//! The billing engine's use cases: renew a period, collect an open invoice,
//! deactivate after grace, remind before a freeze.
//!
//! Each decides with `billing-domain`, then commits one batch: the
//! subscription (checked against its version), the invoice, the audit line
//! and the e-mail together, guarded by a once-only marker, so running the
//! same work twice for the same moment has no second effect.

use crate::gateway::GatewayError;
use crate::mail::{self, templates};
use crate::services::seed::new_id;
use crate::state::AppState;
use crate::store::{
    AccountRecord, AuditEntry, InvoiceRecord, StoreError, SubscriptionRecord, Write,
};
use anyhow::{anyhow, Context};
use billing_domain::invoice::{build_invoice, period_lines, InvoiceLine, InvoiceStatus, LineKind};
use billing_domain::period::Period;
use billing_domain::subscription::{apply, Event, GRACE_DAYS};
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// How many times a batch is retried when the subscription changed under it.
const VERSION_RETRIES: usize = 8;

/// An audit line by the system (or by `actor`).
pub fn audit(
    account_id: &str,
    actor: Option<&str>,
    action: &str,
    details: serde_json::Value,
    at: DateTime<Utc>,
) -> Write {
    Write::Audit(AuditEntry {
        id: new_id("aud"),
        account_id: account_id.into(),
        actor_user_id: actor.map(str::to_string),
        action: action.into(),
        details,
        at,
    })
}

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
) -> anyhow::Result<Money> {
    let open = state.store.open_invoices(account_id).await?;
    Ok(Money::sum(
        currency,
        open.iter().map(|i| Money::new(i.total, i.currency)),
    )?)
}

/// Renews the subscription at the end of its period (`at` is that end):
/// opens the next period, invoices it, applies the credit balance, then
/// charges the card. With no card on file, the account is frozen instead.
pub async fn renew(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let contact = mail::billing_contact(state, &account.id).await?;
    let card = state.store.default_payment_method(&account.id).await?;
    let invoice_id = new_id("in");
    let mut opened: Option<InvoiceRecord> = None;
    let done = commit_fresh(state, &account.id, |sub| {
                let paused = sub.status == SubscriptionStatus::Paused;
        let (next, anchor, interval, seats, lines) = if paused {
            // While paused, each month is billed at the pause price.
            let next = Period::nth(at, billing_domain::Interval::Month, 0);
            let line = InvoiceLine::charge(
                LineKind::Plan,
                format!("Pause plan, 1 month ({} data kept)", state.catalog.plan(sub.plan).name),
                1,
                state.catalog.pause_monthly_price(),
                Some((next.start, next.end)),
            )?;
            (next, at, sub.interval, sub.seats, vec![line])
        } else {
            // Pending changes (fewer seats, annual → monthly) take effect now.
            let interval = sub.pending_interval.unwrap_or(sub.interval);
            let seats = sub.pending_seats.unwrap_or(sub.seats);
            let (next, anchor) = if interval == sub.interval && !sub.pause_billed {
                (Period::containing(sub.billing_anchor, sub.interval, at), sub.billing_anchor)
            } else {
                (Period::nth(at, interval, 0), at)
            };
            let mut lines = period_lines(&state.catalog, sub.plan, interval, seats, &sub.add_ons, next)?;
            if let (Some(percent), Some(left)) = (sub.discount_percent, sub.discount_periods_left) {
                if left > 0 {
                    let subtotal = Money::sum(sub.currency, lines.iter().map(|l| l.amount))?;
                    let off = subtotal.mul_ratio(-i64::from(percent), 100)?;
                    lines.push(InvoiceLine {
                        kind: LineKind::Proration,
                        description: format!("{percent}% retention discount ({left} renewal{} left including this one)", if left == 1 { "" } else { "s" }),
                        quantity: 1,
                        unit_amount: off,
                        amount: off,
                        period_start: Some(next.start),
                        period_end: Some(next.end),
                    });
                }
            }
            (next, anchor, interval, seats, lines)
        };
        let draft = build_invoice(
            sub.currency,
            lines,
            Money::new(sub.credit_balance, sub.currency),
        )?;
        let paid_by_credit = draft.total.is_zero();
                        let discount_left = sub.discount_periods_left.filter(|_| !paused).map(|n| n.saturating_sub(1));
        let mut new_sub = SubscriptionRecord {
            interval,
            seats,
            billing_anchor: anchor,
            pending_seats: if paused { sub.pending_seats } else { None },
            pending_interval: if paused { sub.pending_interval } else { None },
            pause_billed: paused,
            discount_periods_left: discount_left.or(sub.discount_periods_left),
            discount_percent: if discount_left == Some(0) { None } else { sub.discount_percent },
            current_period_start: next.start,
            current_period_end: next.end,
            credit_balance: draft.credit_balance_after.amount(),
            ..sub.clone()
        };
        let invoice = InvoiceRecord {
            id: invoice_id.clone(),
            account_id: account.id.clone(),
            seq: 0,
            status: if paid_by_credit {
                InvoiceStatus::Paid
            } else {
                InvoiceStatus::Open
            },
            reason: "subscription_cycle".into(),
            currency: sub.currency,
            total: draft.total.amount(),
            credit_applied: draft.credit_applied.amount(),
            credit_created: draft.credit_created.amount(),
            period_start: Some(next.start),
            period_end: Some(next.end),
            created_at: at,
            paid_at: paid_by_credit.then_some(at),
            attempt_count: 0,
            last_error: None,
            charge_id: None,
            lines: draft.lines.clone(),
        };
        let mut writes = vec![
            Write::Once {
                marker: format!("renew:{}:{}", account.id, next.start.timestamp()),
                account_id: account.id.clone(),
                at,
            },
            audit(
                &account.id,
                None,
                "subscription.renewed",
                json!({
                    "period_start": next.start, "period_end": next.end, "invoice_id": invoice_id,
                    "total": draft.total, "credit_applied": draft.credit_applied,
                    "seats": seats, "interval": interval,
                    "pending_applied": { "seats": sub.pending_seats, "interval": sub.pending_interval },
                }),
                at,
            ),
        ];
        if card.is_none() && !paid_by_credit {
            let t = apply(sub.status, Event::PeriodEndedWithoutCard, at)?;
            new_sub.status = t.to;
            writes.push(audit(
                &account.id,
                None,
                "subscription.frozen",
                json!({ "from": t.from, "to": t.to }),
                at,
            ));
            writes.push(mail::to_user(
                &account.id,
                &contact,
                &templates::frozen(account, &invoice),
                at,
            ));
        }
        if paid_by_credit {
            writes.push(mail::to_user(
                &account.id,
                &contact,
                &templates::invoice_paid(account, &invoice, at),
                at,
            ));
        }
        writes.push(Write::Subscription {
            record: new_sub,
            expected_version: sub.version,
        });
        writes.push(Write::InsertInvoice(invoice.clone()));
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

/// Why an invoice is being charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The first charge of a renewal: a decline starts the grace period.
    Renewal,
    /// A retry (a new card): a decline changes no state.
    Retry,
}

/// Charges an open invoice to the default card and records the outcome.
/// Returns the gateway's verdict; errors are failures to record.
pub async fn collect(
    state: &AppState,
    account: &AccountRecord,
    invoice_id: &str,
    at: DateTime<Utc>,
    attempt_kind: Attempt,
) -> anyhow::Result<Result<(), GatewayError>> {
    let invoice = state
        .store
        .invoice(invoice_id)
        .await?
        .filter(|i| i.account_id == account.id)
        .ok_or_else(|| anyhow!("invoice {invoice_id} not found"))?;
    if invoice.status != InvoiceStatus::Open {
        return Ok(Ok(()));
    }
    let card = state
        .store
        .default_payment_method(&account.id)
        .await?
        .ok_or_else(|| anyhow!("no card on file"))?;
    let attempt = invoice.attempt_count + 1;
    let amount = Money::new(invoice.total, invoice.currency);
    // The key names the attempt: a crash and re-run charges the card once.
    let key = format!("{}:{attempt}", invoice.id);
    let verdict = state
        .gateway
        .charge(&card.gateway_token, amount, &key, at)
        .await;
    let verdict = match verdict {
        Err(GatewayError::Unavailable(e)) => return Err(e),
        other => other,
    };
    let contact = mail::billing_contact(state, &account.id).await?;
    let other_open: Vec<String> = state
        .store
        .open_invoices(&account.id)
        .await?
        .into_iter()
        .filter(|i| i.id != invoice.id)
        .map(|i| i.id)
        .collect();
    commit_fresh(state, &account.id, |sub| {
        let mut writes = vec![Write::Once {
            marker: format!("charge:{}:{attempt}", invoice.id),
            account_id: account.id.clone(),
            at,
        }];
        match &verdict {
            Ok(charge_id) => {
                writes.push(Write::UpdateInvoice {
                    id: invoice.id.clone(),
                    status: InvoiceStatus::Paid,
                    paid_at: Some(at),
                    attempt_count: attempt,
                    last_error: None,
                    charge_id: Some(charge_id.clone()),
                });
                writes.push(audit(
                    &account.id,
                    None,
                    "invoice.paid",
                    json!({ "invoice_id": invoice.id, "amount": amount, "card_last4": card.last4, "charge_id": charge_id }),
                    at,
                ));
                let paid = InvoiceRecord {
                    status: InvoiceStatus::Paid,
                    paid_at: Some(at),
                    ..invoice.clone()
                };
                writes.push(mail::to_user(&account.id, &contact, &templates::invoice_paid(account, &paid, at), at));
                let owes_nothing_else = other_open.is_empty();
                let unpaid_state = matches!(
                    sub.status,
                    SubscriptionStatus::PastDue | SubscriptionStatus::Deactivated | SubscriptionStatus::Frozen
                );
                if owes_nothing_else && unpaid_state {
                    let t = apply(sub.status, Event::PaymentRecovered, at)?;
                    writes.push(Write::Subscription {
                        record: SubscriptionRecord {
                            status: t.to,
                            past_due_since: None,
                            grace_until: None,
                            ..sub.clone()
                        },
                        expected_version: sub.version,
                    });
                    writes.push(audit(&account.id, None, "subscription.reactivated", json!({ "from": t.from, "to": t.to }), at));
                    writes.push(mail::to_user(&account.id, &contact, &templates::reactivated(account), at));
                }
            }
            Err(decline) => {
                let message = decline.to_string();
                writes.push(Write::UpdateInvoice {
                    id: invoice.id.clone(),
                    status: InvoiceStatus::Open,
                    paid_at: None,
                    attempt_count: attempt,
                    last_error: Some(message.clone()),
                    charge_id: None,
                });
                let starts_grace = attempt_kind == Attempt::Renewal
                    && matches!(sub.status, SubscriptionStatus::Active | SubscriptionStatus::Paused);
                if starts_grace {
                    let t = apply(sub.status, Event::RenewalDeclined, at)?;
                    let grace_until = at + Duration::days(GRACE_DAYS);
                    writes.push(Write::Subscription {
                        record: SubscriptionRecord {
                            status: t.to,
                            past_due_since: Some(at),
                            grace_until: Some(grace_until),
                            ..sub.clone()
                        },
                        expected_version: sub.version,
                    });
                    writes.push(mail::to_user(
                        &account.id,
                        &contact,
                        &templates::card_declined(account, &invoice, &message, grace_until),
                        at,
                    ));
                }
                writes.push(audit(
                    &account.id,
                    None,
                    if starts_grace { "payment.declined" } else { "payment.retry_declined" },
                    json!({ "invoice_id": invoice.id, "amount": amount, "reason": message, "card_last4": card.last4 }),
                    at,
                ));
            }
        }
        Ok(writes)
    })
    .await?;
    Ok(verdict.map(|_| ()))
}

/// Ends the grace period: a past-due account becomes deactivated.
pub async fn deactivate(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let contact = mail::billing_contact(state, &account.id).await?;
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
                "subscription.deactivated",
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
) -> anyhow::Result<()> {
    let contact = mail::billing_contact(state, &account.id).await?;
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
) -> anyhow::Result<()> {
    let contact = mail::billing_contact(state, &account.id).await?;
    let sub = load_subscription(state, &account.id).await?;
    let next = state
        .catalog
        .period_price(sub.plan, sub.interval, sub.seats, &sub.add_ons)
        .ok_or_else(|| anyhow!("subscription is not priced"))?;
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
