//! Renewals at scale: the plain renewals of many accounts at once, written
//! and charged exactly as [`billing::renew`] and [`charge::collect`] do one
//! account at a time, in a few round trips for all of them.
//!
//! For each account whose only due work is renewing its period (active,
//! a card on file, no open invoice), under the account's lock:
//!
//! 1. the renewal's batch ([`billing::renewal_writes`]: once-only marker,
//!    audit line, subscription checked against its version, invoice, credit
//!    used) together with the charge attempt (its gateway key and card) is
//!    committed, so the invoice and its attempt are written before the
//!    gateway is asked;
//! 2. the gateway charges every such invoice under its attempt's key;
//! 3. each successful charge is recorded ([`charge::paid_writes`]: invoice
//!    paid, ledger entry with the balance check, audit line, receipt).
//!
//! Batches are committed many at once ([`Store::commit_many`]), each whole
//! or not at all. Any account that does not go this way to the end (other
//! work due, a batch refused, a decline, the gateway unreachable, a
//! recording failure) is handed back to be run one by one
//! ([`crate::scheduler::run_due`]), which finds what was done and does the
//! rest: an attempt left in flight is asked again under the same key.
//!
//! [`Store::commit_many`]: crate::store::Store::commit_many

use crate::gateway::ChargeRequest;
use crate::ids::new_id;
use crate::mail;
use crate::services::billing;
use crate::services::charge;
use crate::services::error::ServiceResult;
use crate::state::AppState;
use crate::store::{AccountSnapshot, InvoiceRecord, PaymentMethodRecord, Write};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Utc};

/// What a snapshot says is due by a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Nothing: the account's next job is later.
    Nothing,
    /// Renewing the period, and nothing else before it.
    Renewal,
    /// Something else, or not known from the snapshot: run one by one.
    Other,
}

/// What is due for the account by `until`, as far as the snapshot tells.
pub fn due(snapshot: &AccountSnapshot, until: DateTime<Utc>) -> Due {
    let Some(sub) = &snapshot.subscription else {
        return Due::Nothing;
    };
    let plain = sub.status == SubscriptionStatus::Active
        && snapshot.card.is_some()
        && snapshot.open_invoices.is_empty();
    match (plain, sub.current_period_end <= until) {
        (true, false) => Due::Nothing,
        (true, true) => Due::Renewal,
        (false, _) => Due::Other,
    }
}

/// What [`renew_many`] did.
#[derive(Debug, Default)]
pub struct Renewed {
    /// Accounts renewed (their charge made, or left to be settled one by one).
    pub renewed: usize,
    /// Accounts to run one by one.
    pub rest: Vec<String>,
}

/// An account on its way through the three steps.
struct Renewal<'a> {
    snapshot: &'a AccountSnapshot,
    card: &'a PaymentMethodRecord,
    contact: crate::mail::BillingContact,
    invoice: InvoiceRecord,
    at: DateTime<Utc>,
}

/// Renews, at once, the accounts of `snapshots` whose only due work by
/// `until` is their renewal. The caller holds the accounts' locks.
pub async fn renew_many(
    state: &AppState,
    snapshots: &[AccountSnapshot],
    until: DateTime<Utc>,
) -> ServiceResult<Renewed> {
    let mut out = Renewed::default();
    // 1. The renewals and their charge attempts.
    let mut renewals: Vec<Renewal<'_>> = Vec::new();
    let mut batches: Vec<Vec<Write>> = Vec::new();
    for snapshot in snapshots {
        match due(snapshot, until) {
            Due::Nothing => continue,
            Due::Other => {
                out.rest.push(snapshot.account.id.clone());
                continue;
            }
            Due::Renewal => {}
        }
        let (Some(sub), Some(card), Some(contact)) = (
            &snapshot.subscription,
            &snapshot.card,
            mail::contact_among(&snapshot.account, &snapshot.users),
        ) else {
            out.rest.push(snapshot.account.id.clone());
            continue;
        };
        let at = sub.current_period_end;
        let invoice_id = new_id("in");
        let Ok((mut writes, invoice)) = billing::renewal_writes(
            state,
            &snapshot.account,
            sub,
            true,
            &contact,
            &invoice_id,
            at,
        ) else {
            // Run one by one, where the failure is reported.
            out.rest.push(snapshot.account.id.clone());
            continue;
        };
        if invoice.status == InvoiceStatus::Open {
            writes.push(Write::BeginAttempt {
                id: invoice.id.clone(),
                key: charge::attempt_key(&invoice.id, 1),
                token: card.gateway_token.clone(),
                attempt_count: 1,
            });
        }
        batches.push(writes);
        renewals.push(Renewal {
            snapshot,
            card,
            contact,
            invoice,
            at,
        });
    }
    let results = state.store.commit_many(batches).await;
    let mut opened = Vec::new();
    for (renewal, outcome) in renewals.into_iter().zip(results) {
        match outcome {
            Ok(()) => {
                out.renewed += 1;
                if renewal.invoice.period_end.is_some_and(|end| end <= until) {
                    // The next period is due too.
                    out.rest.push(renewal.snapshot.account.id.clone());
                }
                if renewal.invoice.status == InvoiceStatus::Open {
                    opened.push(renewal);
                }
            }
            Err(e) => {
                tracing::debug!(account = %renewal.snapshot.account.id, error = %e, "renewal left to run alone");
                out.rest.push(renewal.snapshot.account.id.clone());
            }
        }
    }

    // 2. The charges, each under its attempt's key.
    let requests: Vec<ChargeRequest> = opened
        .iter()
        .map(|r| ChargeRequest {
            token: r.card.gateway_token.clone(),
            amount: Money::new(r.invoice.total, r.invoice.currency),
            idempotency_key: charge::attempt_key(&r.invoice.id, 1),
            now: r.at,
        })
        .collect();
    let verdicts = state.gateway.charge_many(&requests).await;

    // 3. What the charges paid.
    let mut charged = Vec::new();
    let mut batches = Vec::new();
    for (renewal, verdict) in opened.into_iter().zip(verdicts) {
        match verdict {
            Ok(charge_id) => {
                // The receipt names the invoice by the number the store
                // gave it: the store writes it in as it queues the e-mail.
                let (writes, _) = charge::paid_writes(
                    &renewal.snapshot.account,
                    &renewal.invoice,
                    1,
                    &charge_id,
                    &renewal.card.last4,
                    &renewal.contact,
                    renewal.at,
                );
                batches.push(writes);
                charged.push(renewal);
            }
            // A decline, or no answer: the attempt stays in flight, and
            // the run one by one asks again under its key and records it.
            Err(_) => out.rest.push(renewal.snapshot.account.id.clone()),
        }
    }
    let results = state.store.commit_many(batches).await;
    for (renewal, outcome) in charged.into_iter().zip(results) {
        match outcome {
            Ok(()) => {}
            Err(e) => {
                tracing::warn!(account = %renewal.snapshot.account.id, error = %e, "a renewal's charge is left to be recorded");
                out.rest.push(renewal.snapshot.account.id.clone());
            }
        }
    }
    out.rest.sort_unstable();
    out.rest.dedup();
    Ok(out)
}
