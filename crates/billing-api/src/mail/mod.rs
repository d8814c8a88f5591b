//! E-mail: messages are written to the durable outbox in the same
//! transaction as the change they report, then delivered by SMTP when one is
//! configured. In dev and test modes they are read in the dev mailbox.

pub mod attachments;
pub mod templates;

use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{AccountRecord, OutboxEmail, UserRecord, Write};
use billing_domain::wire::{BillingDetails, InvoiceParty};
use billing_domain::Role;
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// A message before it is addressed.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    pub invoice_id: Option<String>,
}

/// Whom an e-mail is addressed to: a name, an address and any CC.
pub trait Addressee {
    fn name(&self) -> &str;
    fn email(&self) -> &str;
    fn cc(&self) -> &[String] {
        &[]
    }
}

impl Addressee for UserRecord {
    fn name(&self) -> &str {
        &self.name
    }
    fn email(&self) -> &str {
        &self.email
    }
}

/// Who receives the account's billing e-mails (SPEC §12): the billing
/// e-mail (default: the owner's) and the CC list; and the buyer that
/// invoices are made out to.
#[derive(Debug, Clone)]
pub struct BillingContact {
    pub name: String,
    pub email: String,
    pub cc: Vec<String>,
    /// The buyer as an invoice issued now shows it.
    pub buyer: InvoiceParty,
}

impl Addressee for BillingContact {
    fn name(&self) -> &str {
        &self.name
    }
    fn email(&self) -> &str {
        &self.email
    }
    fn cc(&self) -> &[String] {
        &self.cc
    }
}

/// The account's billing details as they stand: as set, or the defaults
/// (the account's name, its owner's e-mail, no CC, no address).
pub fn details_of(account: &AccountRecord, owner: &UserRecord) -> BillingDetails {
    account
        .billing_details
        .clone()
        .unwrap_or_else(|| BillingDetails {
            legal_name: account.name.clone(),
            email: owner.email.clone(),
            cc: Vec::new(),
            address: None,
            tax_id: None,
        })
}

/// The billing contact among the account's users (its active owner stands
/// behind the defaults).
pub fn contact_among(account: &AccountRecord, users: &[UserRecord]) -> Option<BillingContact> {
    let owner = users.iter().find(|u| u.role == Role::Owner && u.active)?;
    let details = details_of(account, owner);
    Some(BillingContact {
        name: details.legal_name.clone(),
        email: details.email.clone(),
        cc: details.cc.clone(),
        buyer: InvoiceParty {
            legal_name: details.legal_name,
            email: details.email,
            address: details.address,
            tax_id: details.tax_id,
        },
    })
}

/// The outbox write that sends `draft` to `to` (and its CC).
pub fn to_user(account_id: &str, to: &impl Addressee, draft: &Draft, at: DateTime<Utc>) -> Write {
    Write::Email(OutboxEmail {
        id: new_id("em"),
        account_id: account_id.into(),
        kind: draft.kind.into(),
        to_email: to.email().to_string(),
        to_name: to.name().to_string(),
        cc: to.cc().to_vec(),
        subject: draft.subject.clone(),
        body: draft.body.clone(),
        invoice_id: draft.invoice_id.clone(),
        created_at: at,
        sent_at: None,
    })
}

/// The account's active owner (who decides on access requests).
pub async fn owner_of(state: &AppState, account_id: &str) -> anyhow::Result<UserRecord> {
    state
        .store
        .users_of_account(account_id)
        .await?
        .into_iter()
        .find(|u| u.role == Role::Owner && u.active)
        .ok_or_else(|| anyhow::anyhow!("account {account_id} has no owner"))
}

/// The account's billing contact (see [`contact_among`]).
pub async fn billing_contact(
    state: &AppState,
    account: &AccountRecord,
) -> anyhow::Result<BillingContact> {
    contact_among(account, &state.store.users_of_account(&account.id).await?)
        .ok_or_else(|| anyhow::anyhow!("account {} has no owner", account.id))
}

/// An SMTP connection from a `BILLING_SMTP_URL` (smtp://, smtps://, with
/// optional user:password@ and port).
pub fn transport(smtp_url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?.build())
}

/// The sender of every e-mail (`BILLING_MAIL_FROM`).
pub fn sender() -> Mailbox {
    std::env::var("BILLING_MAIL_FROM")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| {
            "Billing <billing@localhost>"
                .parse()
                .expect("valid mailbox")
        })
}

/// Sends what the outbox holds unsent, oldest first, having claimed it so
/// no other instance sends it too; each success is marked sent, each
/// failure recorded for a retry. Returns how many were sent.
pub async fn deliver_pending(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> anyhow::Result<usize> {
    let mut sent = 0;
    let now = state.clock.now();
    // Long enough for fifty SMTP sends; a sender that stops mid-way lets
    // its claims lapse, and another sends what is left.
    let until = now + chrono::Duration::minutes(5);
    for email in state.store.claim_emails(50, now, until).await? {
        let result = send_one(state, transport, from, &email).await;
        let now = state.clock.now();
        match result {
            Ok(()) => {
                state.store.mark_email(&email.id, Some(now), None).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(email = %email.id, error = %e, "SMTP delivery failed; will retry");
                state
                    .store
                    .mark_email(&email.id, None, Some(&e.to_string()))
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// Delivers queued mail through SMTP every few seconds, forever.
pub async fn deliver_forever(state: AppState, smtp_url: String) {
    let transport = match transport(&smtp_url) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "BILLING_SMTP_URL is not a valid SMTP URL; mail stays in the outbox");
            return;
        }
    };
    let from = sender();
    loop {
        if let Err(e) = deliver_pending(&state, &transport, &from).await {
            tracing::error!(error = ?e, "delivering the outbox");
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

async fn send_one(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    email: &OutboxEmail,
) -> anyhow::Result<()> {
    let to = Mailbox::new(Some(email.to_name.clone()), email.to_email.parse()?);
    let mut builder = Message::builder().from(from.clone()).to(to);
    for cc in &email.cc {
        builder = builder.cc(Mailbox::new(None, cc.parse()?));
    }
    let builder = builder.subject(email.subject.clone());
    let attachments = attachments::of(state, email).await?;
    let message = if attachments.is_empty() {
        builder.body(email.body.clone())?
    } else {
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(email.body.clone()));
        for a in attachments {
            parts = parts.singlepart(
                LettreAttachment::new(a.filename)
                    .body(a.content, ContentType::parse(&a.content_type)?),
            );
        }
        builder.multipart(parts)?
    };
    transport.send(message).await?;
    Ok(())
}

/// An e-mail to an arbitrary address (Customer Success, the billing team).
pub fn to_address(account_id: &str, to: &str, draft: Draft, at: DateTime<Utc>) -> Write {
    Write::Email(OutboxEmail {
        id: new_id("em"),
        account_id: account_id.into(),
        kind: draft.kind.into(),
        to_email: to.into(),
        to_name: String::new(),
        cc: Vec::new(),
        subject: draft.subject,
        body: draft.body,
        invoice_id: draft.invoice_id,
        created_at: at,
        sent_at: None,
    })
}
