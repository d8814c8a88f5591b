//! Files an e-mail carries, made from the documents it is about: the Paid
//! e-mail carries its invoice's PDF (SPEC §12). They are rendered from the
//! stored invoice whenever the e-mail is sent or listed, so what is attached
//! is the invoice as issued.

use super::templates::INVOICE_PAID_KIND;
use crate::documents;
use crate::state::AppState;
use crate::store::OutboxEmail;

/// A file attached to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// The e-mail's attachments.
pub async fn of(state: &AppState, email: &OutboxEmail) -> anyhow::Result<Vec<Attachment>> {
    let Some(id) = email
        .invoice_id
        .as_deref()
        .filter(|_| email.kind == INVOICE_PAID_KIND)
    else {
        return Ok(Vec::new());
    };
    let (Some(inv), Some(account)) = (
        state.store.invoice(id).await?,
        state.store.account(&email.account_id).await?,
    ) else {
        return Ok(Vec::new());
    };
    let view = documents::invoice_view(inv, &account);
    Ok(vec![Attachment {
        filename: format!("{}.pdf", view.number),
        content_type: "application/pdf".into(),
        content: documents::invoice_pdf(&view),
    }])
}
