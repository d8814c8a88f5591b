//! Ledger entries for what an invoice or a refund moved (SPEC §11). The
//! credit balance is never written: these entries are what it sums.

use crate::ids::new_id;
use crate::services::actor::Actor;
use crate::services::error::ServiceResult;
use crate::state::AppState;
use crate::store::{InvoiceRecord, LedgerRecord, Write};
use billing_domain::ledger::LedgerKind;
use billing_domain::wire::{Ledger, LedgerEntryView};
use billing_domain::Money;
use billing_domain::Permission;
use chrono::{DateTime, Utc};

/// One ledger entry as a write.
#[allow(clippy::too_many_arguments)]
pub fn entry(
    account_id: &str,
    kind: LedgerKind,
    amount: Money,
    invoice_id: Option<&str>,
    charge_id: Option<&str>,
    refund_of: Option<&str>,
    memo: &str,
    at: DateTime<Utc>,
) -> Write {
    Write::Ledger(LedgerRecord {
        id: new_id("led"),
        account_id: account_id.into(),
        kind,
        amount,
        invoice_id: invoice_id.map(str::to_string),
        charge_id: charge_id.map(str::to_string),
        refund_of: refund_of.map(str::to_string),
        withdrawal_id: None,
        memo: memo.into(),
        at,
    })
}

/// The card charge that paid `invoice`.
pub fn card_charge(invoice: &InvoiceRecord, charge_id: &str, at: DateTime<Utc>) -> Write {
    entry(
        &invoice.account_id,
        LedgerKind::CardCharge,
        Money::new(invoice.total, invoice.currency),
        Some(&invoice.id),
        Some(charge_id),
        None,
        "Card charged",
        at,
    )
}

/// The credit `invoice` used and the credit it created.
pub fn credit_writes(invoice: &InvoiceRecord, at: DateTime<Utc>) -> Vec<Write> {
    let mut out = Vec::new();
    if invoice.credit_applied > 0 {
        out.push(entry(
            &invoice.account_id,
            LedgerKind::CreditApplied,
            Money::new(invoice.credit_applied, invoice.currency),
            Some(&invoice.id),
            None,
            None,
            "Credit balance applied",
            at,
        ));
    }
    if invoice.credit_created > 0 {
        out.push(entry(
            &invoice.account_id,
            LedgerKind::CreditGranted,
            Money::new(invoice.credit_created, invoice.currency),
            Some(&invoice.id),
            None,
            None,
            "Unused time credited",
            at,
        ));
    }
    out
}

/// Gives back the credit a voided invoice had taken.
pub fn restore_credit(voided: &InvoiceRecord, at: DateTime<Utc>) -> Option<Write> {
    (voided.credit_applied > 0).then(|| {
        entry(
            &voided.account_id,
            LedgerKind::CreditGranted,
            Money::new(voided.credit_applied, voided.currency),
            Some(&voided.id),
            None,
            None,
            "Credit returned from a voided invoice",
            at,
        )
    })
}

/// Every money movement of the account, oldest first, with the balances
/// they add up to (SPEC §11).
pub async fn view(state: &AppState, actor: &Actor) -> ServiceResult<Ledger> {
    actor.require(Permission::BillingRead)?;
    let account_id = &actor.account.id;
    let entries = state.store.ledger(account_id).await?;
    let currency = state.catalog.currency();
    let balances =
        billing_domain::ledger::balances(currency, entries.iter().map(|e| (e.kind, &e.amount)))
            .map_err(|e| anyhow::anyhow!("the ledger of {account_id} does not add up: {e}"))?;
    Ok(Ledger {
        entries: entries
            .into_iter()
            .map(|e| LedgerEntryView {
                id: e.id,
                kind: e.kind,
                amount: e.amount,
                invoice_id: e.invoice_id,
                charge_id: e.charge_id,
                refund_of: e.refund_of,
                withdrawal_id: e.withdrawal_id,
                description: if e.memo.is_empty() {
                    e.kind.label().to_string()
                } else {
                    e.memo
                },
                at: e.at,
            })
            .collect(),
        credit_balance: balances.available,
        credit_held: balances.held,
    })
}
