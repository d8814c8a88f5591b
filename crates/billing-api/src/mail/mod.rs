//! E-mail: messages are written to the durable outbox in the same
//! transaction as the change they report, then delivered by SMTP when one is
//! configured. In dev and test modes they are read in the dev mailbox.

pub mod templates;

use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{OutboxEmail, UserRecord, Write};
use billing_domain::Role;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
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

/// The outbox write that sends `draft` to `to`.
pub fn to_user(account_id: &str, to: &UserRecord, draft: &Draft, at: DateTime<Utc>) -> Write {
    Write::Email(OutboxEmail {
        id: new_id("em"),
        account_id: account_id.into(),
        kind: draft.kind.into(),
        to_email: to.email.clone(),
        to_name: to.name.clone(),
        subject: draft.subject.clone(),
        body: draft.body.clone(),
        invoice_id: draft.invoice_id.clone(),
        created_at: at,
        sent_at: None,
    })
}

/// The account's billing contact: its owner.
pub async fn billing_contact(state: &AppState, account_id: &str) -> anyhow::Result<UserRecord> {
    contact_among(&state.store.users_of_account(account_id).await?)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("account {account_id} has no owner"))
}

/// The billing contact among an account's users: its active owner.
pub fn contact_among(users: &[UserRecord]) -> Option<&UserRecord> {
    users.iter().find(|u| u.role == Role::Owner && u.active)
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
        let result = send_one(transport, from, &email).await;
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
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    email: &OutboxEmail,
) -> anyhow::Result<()> {
    let to = Mailbox::new(Some(email.to_name.clone()), email.to_email.parse()?);
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .body(email.body.clone())?;
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
        subject: draft.subject,
        body: draft.body,
        invoice_id: draft.invoice_id,
        created_at: at,
        sent_at: None,
    })
}
