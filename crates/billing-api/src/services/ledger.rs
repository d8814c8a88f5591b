//! Ledger entries for what an invoice or a refund moved (SPEC §11). The
//! credit balance is never written: these entries are what it sums.

use crate::services::seed::new_id;
use crate::store::{InvoiceRecord, LedgerRecord, Write};
use billing_domain::ledger::LedgerKind;
use billing_domain::Money;
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
