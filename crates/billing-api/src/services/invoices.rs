//! Invoices: reading them as the portal shows them, and their PDF.

use crate::documents;
use crate::mail::BillingContact;
use crate::services::actor::Actor;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord};
use billing_domain::wire::{Invoice, InvoiceList};
use billing_domain::Permission;

/// The wire form of a stored invoice.
pub fn to_wire(inv: InvoiceRecord, account: &AccountRecord) -> Invoice {
    documents::invoice_view(inv, account)
}

/// Stamps an invoice about to be issued with the seller and the buyer as
/// of now, and the prefix of its number.
pub fn issue(state: &AppState, inv: InvoiceRecord, contact: &BillingContact) -> InvoiceRecord {
    inv.issued_by(
        state.seller.party(),
        contact.buyer.clone(),
        &state.seller.invoice_prefix,
    )
}

/// The invoice as a PDF.
pub fn render_pdf(inv: &Invoice) -> Vec<u8> {
    documents::invoice_pdf(inv)
}

/// A page of the account's invoices, newest first: at most `limit` (1–100)
/// after the invoice `starting_after`.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> ServiceResult<InvoiceList> {
    actor.require(Permission::BillingRead)?;
    page(state, &actor.account, limit, starting_after).await
}

/// A page of the account's invoices, newest first: at most `limit` (1–100,
/// default 20) after the invoice `starting_after`. Whoever asks has been
/// allowed to read them.
pub async fn page(
    state: &AppState,
    account: &AccountRecord,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> ServiceResult<InvoiceList> {
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
        .invoices(&account.id, limit + 1, starting_after)
        .await?;
    let has_more = page.len() as i64 > limit;
    page.truncate(limit as usize);
    Ok(InvoiceList {
        data: page.into_iter().map(|i| to_wire(i, account)).collect(),
        has_more,
    })
}

/// One invoice of the actor's account. Another account's invoice is "not
/// found": ids are not probed.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Invoice> {
    let inv = state
        .store
        .invoice(id)
        .await?
        .filter(|i| i.account_id == actor.account.id)
        .ok_or(ServiceError::NotFound("invoice"))?;
    actor.require(Permission::BillingRead)?;
    Ok(to_wire(inv, &actor.account))
}
