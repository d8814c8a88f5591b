//! What paying an invoice does: its settlement's writes, applying them
//! without a charge when nothing is owed, and undoing a charge that could
//! not be applied.

use super::{Purpose, Settlement};
use crate::mail::{self, templates};
use crate::services::audit::audit;
use crate::services::error::ServiceError;
use crate::services::ledger::{self, credit_writes};
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord, StoreError, Write};
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::invoice::InvoiceStatus;
use billing_domain::ledger::LedgerKind;
use billing_domain::Money;
use chrono::{DateTime, Utc};
use serde_json::json;

/// What a paid settlement invoice does besides being paid: the new
/// subscription, the credit it used or created, the invoices it voids, the
/// audit line and the purpose's e-mail.
pub async fn settlement_writes(
    state: &AppState,
    account: &AccountRecord,
    invoice: &InvoiceRecord,
    s: &Settlement,
    contact: &crate::mail::BillingContact,
    at: DateTime<Utc>,
) -> Result<Vec<Write>, ServiceError> {
    let mut writes = vec![Write::Subscription {
        record: s.subscription.clone(),
        expected_version: s.expected_version,
    }];
    writes.extend(credit_writes(invoice, at));
    writes.extend(crate::services::credit_notes::for_unused_time(
        state, invoice, at,
    ));
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
    let contact = mail::billing_contact(state, account)
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let paid = InvoiceRecord {
        status: InvoiceStatus::Paid,
        paid_at: Some(at),
        ..crate::services::invoices::issue(state, invoice, &contact)
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

/// Refunds a charge whose purchase could not be applied, and voids its invoice.
pub(super) async fn undo_charge(
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
