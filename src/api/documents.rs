//! The account's accounting documents and whom they are made out to:
//! billing details and credit notes.

use super::{answer, encode, get_json, mutating, ApiError, Auth};
use billing_domain::wire::{BillingDetails, CreditNoteList, UpdateBillingDetailsRequest};
use gloo_net::http::Request;

/// `GET /api/account/billing-details`: the legal name, billing e-mail, CC,
/// address and tax ID invoices are made out to (`billing:read`).
pub async fn billing_details() -> Result<BillingDetails, ApiError> {
    get_json("/api/account/billing-details").await
}

/// `PUT /api/account/billing-details` (`billing:manage`): a field that
/// breaks a rule is a 400 whose `param` names it (`address.country`, `cc[1]`).
pub async fn set_billing_details(
    details: &UpdateBillingDetailsRequest,
) -> Result<BillingDetails, ApiError> {
    let request = mutating(Request::put("/api/account/billing-details")).json(details);
    answer(request, Auth::Session).await?.json()
}

/// `GET /api/credit-notes`: a page of credit notes, newest first.
pub async fn credit_notes(
    limit: u32,
    starting_after: Option<&str>,
) -> Result<CreditNoteList, ApiError> {
    let mut path = format!("/api/credit-notes?limit={limit}");
    if let Some(id) = starting_after {
        path.push_str("&starting_after=");
        path.push_str(&encode(id));
    }
    get_json(&path).await
}

/// Where a credit note's PDF downloads from.
pub fn credit_note_pdf_href(id: &str) -> String {
    format!("/api/credit-notes/{}/pdf", encode(id))
}
