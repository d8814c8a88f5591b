//! Charging an open invoice under its attempt key, reconciling attempts
//! left in flight, recording each verdict with what it implies, and buying
//! (store the invoice, then charge it).

use super::settle::{settle_without_charge, settlement_writes, undo_charge};
use super::{settlement_of, Attempt, Settlement, Verdict};
use crate::gateway::GatewayError;
use crate::mail::{self, templates};
use crate::services::audit::audit;
use crate::services::error::{ChargeUnrecorded, ServiceError};
use crate::services::ledger::{self};
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord, StoreError, SubscriptionRecord, Write};
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::invoice::InvoiceStatus;
use billing_domain::subscription::{apply, Event, GRACE_DAYS};
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// Charges the open invoice `invoice_id` to the default card and records the
/// outcome. Returns the gateway's verdict; errors are failures to record.
pub async fn collect(
    state: &AppState,
    account: &AccountRecord,
    invoice_id: &str,
    at: DateTime<Utc>,
    kind: Attempt,
) -> Result<Verdict, ServiceError> {
    Ok(charge_open(state, account, invoice_id, at, kind).await?)
}

async fn charge_open(
    state: &AppState,
    account: &AccountRecord,
    invoice_id: &str,
    at: DateTime<Utc>,
    kind: Attempt,
) -> anyhow::Result<Verdict> {
    let invoice = load_invoice(state, account, invoice_id).await?;
    if invoice.status != InvoiceStatus::Open {
        return Ok(Verdict::Paid(invoice.charge_id));
    }
    if invoice.pending_key.is_some() {
        return reconcile_one(state, account, invoice, at).await;
    }
    let card = state
        .store
        .default_payment_method(&account.id)
        .await?
        .ok_or_else(|| anyhow!("no card on file"))?;
    let attempt = invoice.attempt_count + 1;
    let key = super::attempt_key(&invoice.id, attempt);
    match state
        .store
        .commit(vec![Write::BeginAttempt {
            id: invoice.id.clone(),
            key: key.clone(),
            token: card.gateway_token.clone(),
            attempt_count: attempt,
        }])
        .await
    {
        Ok(()) => {}
        // Someone else began (or finished) it: reconcile what they did.
        Err(StoreError::AlreadyDone(_)) => {
            let fresh = load_invoice(state, account, invoice_id).await?;
            return match fresh.status {
                InvoiceStatus::Open if fresh.pending_key.is_some() => {
                    reconcile_one(state, account, fresh, at).await
                }
                InvoiceStatus::Paid => Ok(Verdict::Paid(fresh.charge_id)),
                _ => Ok(Verdict::Declined(GatewayError::declined(
                    fresh.last_error.as_deref().unwrap_or("card_declined"),
                ))),
            };
        }
        Err(e) => return Err(e.into()),
    }
    let amount = Money::new(invoice.total, invoice.currency);
    let verdict = state
        .gateway
        .charge(&card.gateway_token, amount, &key, at)
        .await;
    let verdict = match verdict {
        // Unknown outcome: the attempt stays pending and is reconciled.
        Err(GatewayError::Unavailable(e)) => return Err(e),
        other => other,
    };
    let charged = verdict.is_ok();
    let recorded = async {
        state.faults.trip("after_charge")?;
        record(state, account, &invoice, attempt, verdict, kind, at).await
    }
    .await;
    match recorded {
        Err(source) if charged => Err(ChargeUnrecorded {
            invoice_id: invoice.id.clone(),
            source,
        }
        .into()),
        other => other,
    }
}

async fn load_invoice(
    state: &AppState,
    account: &AccountRecord,
    invoice_id: &str,
) -> anyhow::Result<InvoiceRecord> {
    state
        .store
        .invoice(invoice_id)
        .await?
        .filter(|i| i.account_id == account.id)
        .ok_or_else(|| anyhow!("invoice {invoice_id} not found"))
}

/// Asks the gateway again about every charge left in flight for the account
/// and records the answers. Returns how many were settled.
pub async fn reconcile(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let mut settled = 0;
    for invoice in state.store.open_invoices(&account.id).await? {
        if invoice.pending_key.is_some() {
            let _verdict = reconcile_one(state, account, invoice, at).await?;
            settled += 1;
        }
    }
    Ok(settled)
}

async fn reconcile_one(
    state: &AppState,
    account: &AccountRecord,
    invoice: InvoiceRecord,
    at: DateTime<Utc>,
) -> anyhow::Result<Verdict> {
    let (Some(key), Some(token)) = (invoice.pending_key.clone(), invoice.pending_token.clone())
    else {
        return Ok(Verdict::Paid(invoice.charge_id));
    };
    let amount = Money::new(invoice.total, invoice.currency);
    let verdict = state.gateway.charge(&token, amount, &key, at).await;
    let verdict = match verdict {
        Err(GatewayError::Unavailable(e)) => return Err(e),
        other => other,
    };
    let kind = if invoice.attempt_count == 1 && invoice.reason == "subscription_cycle" {
        Attempt::Renewal
    } else {
        Attempt::Retry
    };
    tracing::info!(invoice = %invoice.id, %key, "reconciling a charge left in flight");
    record(
        state,
        account,
        &invoice,
        invoice.attempt_count,
        verdict,
        kind,
        at,
    )
    .await
}

/// Records a gateway verdict on an open invoice, with everything it implies.
async fn record(
    state: &AppState,
    account: &AccountRecord,
    invoice: &InvoiceRecord,
    attempt: i64,
    verdict: Result<String, GatewayError>,
    kind: Attempt,
    at: DateTime<Utc>,
) -> anyhow::Result<Verdict> {
    let settlement = settlement_of(invoice)?;
    let contact = mail::billing_contact(state, account).await?;
    let card_last4 = state
        .store
        .default_payment_method(&account.id)
        .await?
        .map(|c| c.last4)
        .unwrap_or_default();
    let charge_id = match verdict {
        Ok(id) => id,
        Err(decline) => {
            let message = decline.to_string();
            let writes = decline_writes(
                state,
                account,
                invoice,
                settlement.as_ref(),
                attempt,
                &message,
                kind,
                &contact,
                &card_last4,
                at,
            )
            .await?;
            match state.store.commit(writes).await {
                Ok(()) | Err(StoreError::AlreadyDone(_)) => {}
                Err(e) => return Err(e.into()),
            }
            return Ok(Verdict::Declined(decline));
        }
    };
    let (mut writes, paid) = paid_writes(
        account,
        invoice,
        attempt,
        &charge_id,
        &card_last4,
        &contact,
        at,
    );
    match &settlement {
        Some(s) => {
            writes.extend(settlement_writes(state, account, &paid, s, &contact, at).await?);
            match state.store.commit(writes).await {
                Ok(()) => {}
                Err(StoreError::AlreadyDone(_)) => {}
                Err(StoreError::VersionConflict) => {
                    // The subscription changed since this was priced: give the money back.
                    undo_charge(state, account, invoice, &charge_id, attempt, at).await?;
                    return Ok(Verdict::Declined(GatewayError::Unavailable(anyhow!(
                        "the subscription changed while it was being paid; the charge was refunded"
                    ))));
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => {
            let sub = state
                .store
                .subscription(&account.id)
                .await?
                .ok_or_else(|| anyhow!("no subscription"))?;
            let others_open = state
                .store
                .open_invoices(&account.id)
                .await?
                .iter()
                .any(|i| i.id != invoice.id);
            if !others_open && sub.status == SubscriptionStatus::PastDue {
                let t = apply(
                    sub.status,
                    Event::PaymentRecovered { paused: sub.paused },
                    at,
                )?;
                writes.push(Write::Subscription {
                    record: SubscriptionRecord {
                        status: t.to,
                        past_due_since: None,
                        grace_until: None,
                        ..sub.clone()
                    },
                    expected_version: sub.version,
                });
                writes.push(audit(
                    &account.id,
                    None,
                    AuditAction::SubscriptionReactivated,
                    json!({ "from": t.from, "to": t.to }),
                    at,
                ));
                writes.push(mail::to_user(
                    &account.id,
                    &contact,
                    &templates::reactivated(account),
                    at,
                ));
            }
            match state.store.commit(writes).await {
                Ok(()) | Err(StoreError::AlreadyDone(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(Verdict::Paid(Some(charge_id)))
}

/// What a charge `charge_id` that paid the open `invoice` (at attempt
/// `attempt`) records besides what the invoice pays for: the invoice paid,
/// the card charge in the ledger, the audit line and the receipt. Returns
/// the writes and the invoice as paid.
pub fn paid_writes(
    account: &AccountRecord,
    invoice: &InvoiceRecord,
    attempt: i64,
    charge_id: &str,
    card_last4: &str,
    contact: &crate::mail::BillingContact,
    at: DateTime<Utc>,
) -> (Vec<Write>, InvoiceRecord) {
    let amount = Money::new(invoice.total, invoice.currency);
    let paid = InvoiceRecord {
        status: InvoiceStatus::Paid,
        paid_at: Some(at),
        charge_id: Some(charge_id.to_string()),
        ..invoice.clone()
    };
    let writes = vec![
        Write::UpdateInvoice {
            id: invoice.id.clone(),
            status: InvoiceStatus::Paid,
            paid_at: Some(at),
            attempt_count: attempt,
            last_error: None,
            charge_id: Some(charge_id.to_string()),
        },
        ledger::card_charge(invoice, charge_id, at),
        audit(
            &account.id,
            None,
            AuditAction::InvoicePaid,
            json!({ "invoice_id": invoice.id, "amount": amount, "card_last4": card_last4, "charge_id": charge_id }),
            at,
        ),
        mail::to_user(
            &account.id,
            contact,
            &templates::invoice_paid(account, &paid, at),
            at,
        ),
    ];
    (writes, paid)
}

#[allow(clippy::too_many_arguments)]
async fn decline_writes(
    state: &AppState,
    account: &AccountRecord,
    invoice: &InvoiceRecord,
    settlement: Option<&Settlement>,
    attempt: i64,
    message: &str,
    kind: Attempt,
    contact: &crate::mail::BillingContact,
    card_last4: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<Vec<Write>> {
    let amount = Money::new(invoice.total, invoice.currency);
    if let Some(s) = settlement {
        // Nothing was bought: the invoice is void and the subscription unchanged.
        return Ok(vec![
            Write::UpdateInvoice {
                id: invoice.id.clone(),
                status: InvoiceStatus::Void,
                paid_at: None,
                attempt_count: attempt,
                last_error: Some(message.to_string()),
                charge_id: None,
            },
            audit(
                &account.id,
                s.actor.as_deref(),
                s.declined_action,
                json!({ "invoice_id": invoice.id, "amount": amount, "reason": message, "card_last4": card_last4 }),
                at,
            ),
        ]);
    }
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("no subscription"))?;
    let mut writes = vec![Write::UpdateInvoice {
        id: invoice.id.clone(),
        status: InvoiceStatus::Open,
        paid_at: None,
        attempt_count: attempt,
        last_error: Some(message.to_string()),
        charge_id: None,
    }];
    let starts_grace = kind == Attempt::Renewal
        && matches!(
            sub.status,
            SubscriptionStatus::Active | SubscriptionStatus::Paused
        );
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
            contact,
            &templates::card_declined(account, invoice, message, grace_until),
            at,
        ));
    }
    writes.push(audit(
        &account.id,
        None,
        if starts_grace {
            AuditAction::PaymentDeclined
        } else {
            AuditAction::PaymentRetryDeclined
        },
        json!({ "invoice_id": invoice.id, "amount": amount, "reason": message, "card_last4": card_last4 }),
        at,
    ));
    Ok(writes)
}

/// Buys what `invoice` (open, not yet stored) pays for: applied at once when
/// it owes nothing, else stored with its settlement and charged to the
/// default card under its attempt key. A decline is returned as a value and
/// changes nothing; with no card, a 400 on `payment_method` saying
/// `no_card_message`.
pub async fn purchase(
    state: &AppState,
    account: &AccountRecord,
    mut invoice: InvoiceRecord,
    settlement: &Settlement,
    at: DateTime<Utc>,
    no_card_message: &str,
) -> Result<Verdict, ServiceError> {
    // Kept on the invoice: a refund reads the terms in force from it.
    invoice.settlement = Some(serde_json::to_string(settlement).map_err(anyhow::Error::from)?);
    if invoice.total == 0 {
        settle_without_charge(state, account, invoice, settlement, at).await?;
        return Ok(Verdict::Paid(None));
    }
    if state
        .store
        .default_payment_method(&account.id)
        .await?
        .is_none()
    {
        return Err(ServiceError::invalid(
            "payment_method",
            "no_payment_method",
            no_card_message,
        ));
    }
    let invoice_id = invoice.id.clone();
    let contact = mail::billing_contact(state, account).await?;
    let invoice = crate::services::invoices::issue(state, invoice, &contact);
    state
        .store
        .commit(vec![Write::InsertInvoice(invoice)])
        .await?;
    collect(state, account, &invoice_id, at, Attempt::Retry).await
}
