//! Credit notes (SPEC §12): issued with every refund and every credit for
//! unused time, in the same batch as the money they record; read and
//! downloaded like invoices.

use crate::documents;
use crate::ids::new_id;
use crate::mail::BillingContact;
use crate::services::actor::Actor;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{CreditNoteRecord, InvoiceRecord, Write};
use billing_domain::invoice::{InvoiceLine, LineKind};
use billing_domain::refund::{RefundKind, RefundQuote};
use billing_domain::wire::{CreditNote, CreditNoteList, CreditNoteReason};
use billing_domain::Permission;
use chrono::{DateTime, Utc};

/// The credit note for the unused time `invoice` credits to the balance
/// (none when it credits nothing). Its lines are the invoice's: what the
/// change charged and credited, netting to the credit.
pub fn for_unused_time(
    state: &AppState,
    invoice: &InvoiceRecord,
    at: DateTime<Utc>,
) -> Option<Write> {
    if invoice.credit_created <= 0 {
        return None;
    }
    Some(Write::InsertCreditNote(CreditNoteRecord {
        id: new_id("cn"),
        account_id: invoice.account_id.clone(),
        seq: 0,
        number: state.seller.credit_note_prefix.clone(),
        reason: CreditNoteReason::UnusedTime,
        invoice_id: Some(invoice.id.clone()),
        currency: invoice.currency,
        total: invoice.credit_created,
        to_card: 0,
        to_balance: invoice.credit_created,
        lines: invoice.lines.clone(),
        seller: invoice
            .seller
            .clone()
            .unwrap_or_else(|| state.seller.party()),
        buyer: invoice
            .buyer
            .clone()
            .unwrap_or_else(|| fallback_buyer(invoice)),
        created_at: at,
    }))
}

fn fallback_buyer(invoice: &InvoiceRecord) -> billing_domain::wire::InvoiceParty {
    billing_domain::wire::InvoiceParty {
        legal_name: invoice.account_id.clone(),
        email: String::new(),
        address: None,
        tax_id: None,
    }
}

/// The credit note for a refund of the period `invoice` opened (none for
/// a refund of nothing). The seller and buyer are as of now.
pub fn for_refund(
    state: &AppState,
    account_id: &str,
    invoice: Option<&InvoiceRecord>,
    quote: &RefundQuote,
    contact: &BillingContact,
    at: DateTime<Utc>,
) -> Option<Write> {
    if quote.amount.amount() <= 0 {
        return None;
    }
    let what = match quote.kind {
        RefundKind::Full => "Full refund of the current period",
        RefundKind::Partial => "Partial refund of the unused rest of the period",
    };
    let mut lines = Vec::new();
    for (label, amount) in [
        ("refunded to the card", quote.to_card),
        ("credited to the balance", quote.to_balance),
    ] {
        if amount.amount() > 0 {
            lines.push(InvoiceLine {
                kind: LineKind::Proration,
                description: format!("{what}, {label}"),
                quantity: 1,
                unit_amount: amount,
                amount,
                period_start: invoice.and_then(|i| i.period_start),
                period_end: invoice.and_then(|i| i.period_end),
            });
        }
    }
    Some(Write::InsertCreditNote(CreditNoteRecord {
        id: new_id("cn"),
        account_id: account_id.into(),
        seq: 0,
        number: state.seller.credit_note_prefix.clone(),
        reason: CreditNoteReason::Refund,
        invoice_id: invoice.map(|i| i.id.clone()),
        currency: quote.amount.currency(),
        total: quote.amount.amount(),
        to_card: quote.to_card.amount(),
        to_balance: quote.to_balance.amount(),
        lines,
        seller: state.seller.party(),
        buyer: contact.buyer.clone(),
        created_at: at,
    }))
}

async fn view(state: &AppState, cn: CreditNoteRecord) -> ServiceResult<CreditNote> {
    let number = match &cn.invoice_id {
        Some(id) => state.store.invoice(id).await?.map(|i| i.number),
        None => None,
    };
    Ok(documents::credit_note_view(cn, number))
}

/// A page of the account's credit notes, newest first: at most `limit`
/// (1–100) after the credit note `starting_after`.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> ServiceResult<CreditNoteList> {
    actor.require(Permission::BillingRead)?;
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ServiceError::invalid(
            "limit",
            "out_of_range",
            "`limit` must be between 1 and 100.",
        ));
    }
    let mut page = state
        .store
        .credit_notes(&actor.account.id, limit + 1, starting_after)
        .await?;
    let has_more = page.len() as i64 > limit;
    page.truncate(limit as usize);
    let mut data = Vec::with_capacity(page.len());
    for cn in page {
        data.push(view(state, cn).await?);
    }
    Ok(CreditNoteList { data, has_more })
}

/// One credit note of the actor's account; another account's is "not found".
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<CreditNote> {
    let cn = state
        .store
        .credit_note(id)
        .await?
        .filter(|c| c.account_id == actor.account.id)
        .ok_or(ServiceError::NotFound("credit note"))?;
    actor.require(Permission::BillingRead)?;
    view(state, cn).await
}

/// The credit note as a PDF.
pub fn render_pdf(cn: &CreditNote) -> Vec<u8> {
    documents::credit_note_pdf(cn)
}
