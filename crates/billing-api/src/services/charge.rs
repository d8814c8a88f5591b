//! Charging an invoice exactly once (SPEC §11).
//!
//! The open invoice is written first, then the attempt (its gateway key and
//! card) before the gateway is called; the outcome is recorded afterwards.
//! When the process stops or the store fails in between, [`reconcile`] asks
//! the gateway again under the same key (which never charges twice) and
//! records what it answers. An invoice that pays for a change, a resume, a
//! reactivation or a recovery carries its [`Settlement`]: what paying it does
//! to the subscription, applied in the same batch as the payment.

use crate::gateway::GatewayError;
use crate::ids::new_id;
use crate::mail::{self, templates};
use crate::services::audit::audit;
use crate::services::error::{ChargeUnrecorded, ServiceError};
use crate::services::ledger::{self, credit_writes};
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord, StoreError, SubscriptionRecord, Write};
use anyhow::{anyhow, Context};
use billing_domain::audit::AuditAction;
use billing_domain::invoice::InvoiceStatus;
use billing_domain::ledger::LedgerKind;
use billing_domain::subscription::{apply, Event, GRACE_DAYS};
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Why an invoice is being charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The first charge of a renewal: a decline starts the grace period.
    Renewal,
    /// A retry (a new card, or reconciliation): a decline changes no state.
    Retry,
}

/// What an invoice pays for, beyond a renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Change,
    Resume,
    Reactivation,
    Recovery,
}

/// What paying an invoice does to the subscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settlement {
    pub purpose: Purpose,
    /// The subscription's version when the invoice was made: a paid invoice
    /// applies only to the subscription it was priced on.
    pub expected_version: i64,
    /// The subscription once paid.
    pub subscription: SubscriptionRecord,
    /// Who asked for it.
    pub actor: Option<String>,
    /// The audit line written when it is paid.
    pub audit_action: AuditAction,
    pub audit_details: serde_json::Value,
    /// The audit line written when the card declines.
    pub declined_action: AuditAction,
    /// Invoices voided when this one is paid (a recovery's locked periods).
    pub void_invoices: Vec<String>,
    /// What the request that made it answers (a change's preview), for retries.
    pub result: Option<serde_json::Value>,
}

fn settlement_of(invoice: &InvoiceRecord) -> anyhow::Result<Option<Settlement>> {
    invoice
        .settlement
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .context("reading an invoice's settlement")
}

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
    // The key names the attempt: a crash and re-run asks the gateway under it again.
    let key = format!("{}:{attempt}", invoice.id);
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

/// What the gateway answered for a charge: an outcome to record and show,
/// not a failure of the use case.
#[derive(Debug)]
pub enum Verdict {
    /// Paid: the gateway's charge id (none when nothing was charged).
    Paid(Option<String>),
    /// Declined, with the processor's reason.
    Declined(GatewayError),
}

impl Verdict {
    /// Whether the invoice is paid.
    pub fn is_paid(&self) -> bool {
        matches!(self, Verdict::Paid(_))
    }

    /// The decline, if the card was declined.
    pub fn decline(&self) -> Option<&GatewayError> {
        match self {
            Verdict::Paid(_) => None,
            Verdict::Declined(e) => Some(e),
        }
    }

    /// A decline as the use case's failure (the change is not made).
    pub fn paid_or_declined(self) -> Result<(), ServiceError> {
        match self {
            Verdict::Paid(_) => Ok(()),
            Verdict::Declined(e) => Err(e.into()),
        }
    }
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
    let contact = mail::billing_contact(state, &account.id).await?;
    let amount = Money::new(invoice.total, invoice.currency);
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
    let mut writes = vec![
        Write::UpdateInvoice {
            id: invoice.id.clone(),
            status: InvoiceStatus::Paid,
            paid_at: Some(at),
            attempt_count: attempt,
            last_error: None,
            charge_id: Some(charge_id.clone()),
        },
        ledger::card_charge(invoice, &charge_id, at),
        audit(
            &account.id,
            None,
            AuditAction::InvoicePaid,
            json!({ "invoice_id": invoice.id, "amount": amount, "card_last4": card_last4, "charge_id": charge_id }),
            at,
        ),
    ];
    let paid = InvoiceRecord {
        status: InvoiceStatus::Paid,
        paid_at: Some(at),
        charge_id: Some(charge_id.clone()),
        ..invoice.clone()
    };
    writes.push(mail::to_user(
        &account.id,
        &contact,
        &templates::invoice_paid(account, &paid, at),
        at,
    ));
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

#[allow(clippy::too_many_arguments)]
async fn decline_writes(
    state: &AppState,
    account: &AccountRecord,
    invoice: &InvoiceRecord,
    settlement: Option<&Settlement>,
    attempt: i64,
    message: &str,
    kind: Attempt,
    contact: &crate::store::UserRecord,
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

/// What a paid settlement invoice does besides being paid: the new
/// subscription, the credit it used or created, the invoices it voids, the
/// audit line and the purpose's e-mail.
pub async fn settlement_writes(
    state: &AppState,
    account: &AccountRecord,
    invoice: &InvoiceRecord,
    s: &Settlement,
    contact: &crate::store::UserRecord,
    at: DateTime<Utc>,
) -> Result<Vec<Write>, ServiceError> {
    let mut writes = vec![Write::Subscription {
        record: s.subscription.clone(),
        expected_version: s.expected_version,
    }];
    writes.extend(credit_writes(invoice, at));
    for id in &s.void_invoices {
        let Some(old) = state.store.invoice(id).await? else {
            continue;
        };
        if old.status != InvoiceStatus::Open {
            continue;
        }
        writes.push(Write::UpdateInvoice {
            id: old.id.clone(),
            status: InvoiceStatus::Void,
            paid_at: None,
            attempt_count: old.attempt_count,
            last_error: Some(
                "Voided: the account was locked for this period, so it is not billed.".into(),
            ),
            charge_id: None,
        });
        writes.extend(ledger::restore_credit(&old, at));
    }
    writes.push(audit(
        &account.id,
        s.actor.as_deref(),
        s.audit_action,
        s.audit_details.clone(),
        at,
    ));
    match s.purpose {
        Purpose::Change => {}
        Purpose::Resume => writes.push(mail::to_user(
            &account.id,
            contact,
            &templates::resumed(
                account,
                state.catalog.plan(s.subscription.plan).name.as_str(),
            ),
            at,
        )),
        Purpose::Reactivation | Purpose::Recovery => writes.push(mail::to_user(
            &account.id,
            contact,
            &templates::reactivated(account),
            at,
        )),
    }
    Ok(writes)
}

/// Pays a settlement invoice that owes nothing (credit covered it): the
/// invoice is written paid with its settlement in one batch.
pub async fn settle_without_charge(
    state: &AppState,
    account: &AccountRecord,
    invoice: InvoiceRecord,
    s: &Settlement,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let contact = mail::billing_contact(state, &account.id)
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let paid = InvoiceRecord {
        status: InvoiceStatus::Paid,
        paid_at: Some(at),
        ..invoice
    };
    let mut writes = Vec::new();
    if !paid.lines.is_empty() {
        writes.push(Write::InsertInvoice(paid.clone()));
        writes.push(mail::to_user(
            &account.id,
            &contact,
            &templates::invoice_paid(account, &paid, at),
            at,
        ));
    }
    writes.extend(
        settlement_writes(state, account, &paid, s, &contact, at)
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    );
    state.store.commit(writes).await
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
    state
        .store
        .commit(vec![Write::InsertInvoice(invoice)])
        .await?;
    collect(state, account, &invoice_id, at, Attempt::Retry).await
}

/// Refunds a charge whose purchase could not be applied, and voids its invoice.
async fn undo_charge(
    state: &AppState,
    account: &AccountRecord,
    invoice: &InvoiceRecord,
    charge_id: &str,
    attempt: i64,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let amount = Money::new(invoice.total, invoice.currency);
    let refund_id = state
        .gateway
        .refund(charge_id, amount, &format!("undo:{charge_id}"), at)
        .await
        .map_err(|e| anyhow!("refunding {charge_id}: {e}"))?;
    let writes = vec![
        Write::UpdateInvoice {
            id: invoice.id.clone(),
            status: InvoiceStatus::Void,
            paid_at: None,
            attempt_count: attempt,
            last_error: Some(
                "The subscription changed while this was being paid; the charge was refunded."
                    .into(),
            ),
            charge_id: Some(charge_id.to_string()),
        },
        ledger::card_charge(invoice, charge_id, at),
        ledger::entry(
            &account.id,
            LedgerKind::CardRefund,
            amount,
            Some(&invoice.id),
            Some(&refund_id),
            Some(charge_id),
            "Refunded: the purchase could not be applied",
            at,
        ),
        audit(
            &account.id,
            None,
            AuditAction::PaymentRefunded,
            json!({ "invoice_id": invoice.id, "amount": amount, "charge_id": charge_id, "refund_id": refund_id }),
            at,
        ),
    ];
    match state.store.commit(writes).await {
        Ok(()) | Err(StoreError::AlreadyDone(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A new id for an invoice.
pub fn invoice_id() -> String {
    new_id("in")
}
