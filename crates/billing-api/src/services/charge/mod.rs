//! Charging an invoice exactly once (SPEC §11).
//!
//! The open invoice is written first, then the attempt (its gateway key and
//! card) before the gateway is called; the outcome is recorded afterwards.
//! When the process stops or the store fails in between, [`reconcile`] asks
//! the gateway again under the same key (which never charges twice) and
//! records what it answers. An invoice that pays for a change, a resume, a
//! reactivation or a recovery carries its [`Settlement`]: what paying it does
//! to the subscription, applied in the same batch as the payment.

mod collect;
mod settle;

pub use collect::{collect, paid_writes, purchase, reconcile};
pub use settle::{settle_without_charge, settlement_writes};

use crate::gateway::GatewayError;
use crate::ids::new_id;
use crate::services::error::ServiceError;
use crate::store::{InvoiceRecord, SubscriptionRecord};
use anyhow::Context;
use billing_domain::audit::AuditAction;
use serde::{Deserialize, Serialize};

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

/// The gateway key of an invoice's `attempt`-th charge: it names the
/// attempt, so a crash and re-run asks the gateway under it again.
pub fn attempt_key(invoice_id: &str, attempt: i64) -> String {
    format!("{invoice_id}:{attempt}")
}

/// A new id for an invoice.
pub fn invoice_id() -> String {
    new_id("in")
}
