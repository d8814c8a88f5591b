//! The writes of a batch, which the store commits in one transaction.

use super::{
    AccessRequestRecord, AuditEntry, CancelSessionRecord, CreditNoteRecord, InvoiceRecord,
    LedgerRecord, NewEvent, OutboxEmail, PasswordResetRecord, PaymentMethodRecord,
    SubscriptionRecord, WithdrawalRecord,
};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::BillingAccess;
use chrono::{DateTime, Utc};

/// Stands in an e-mail for the number of its invoice until the store,
/// queueing the e-mail, writes the number there (an invoice written in the
/// same batch as its e-mail has no number until the store gives it one).
pub const INVOICE_NUMBER_PENDING: &str = "{{invoice-number}}";

/// One write of a batch; a batch commits whole or not at all.
#[derive(Debug, Clone)]
pub enum Write {
    /// Replaces the subscription if it is still at `expected_version`; the
    /// stored version becomes `expected_version + 1`.
    Subscription {
        record: SubscriptionRecord,
        expected_version: i64,
    },
    /// Inserts an invoice and its lines, numbering it with the next number
    /// of the vendor-wide invoice sequence (after its `number`, the prefix).
    InsertInvoice(InvoiceRecord),
    /// Inserts a credit note, numbered from the vendor-wide credit note sequence.
    InsertCreditNote(CreditNoteRecord),
    /// Replaces the account's billing details.
    SetBillingDetails {
        account_id: String,
        details: billing_domain::wire::BillingDetails,
    },
    /// Updates an open invoice's payment state and clears any charge in
    /// flight; fails with `AlreadyDone` if the invoice is no longer open.
    UpdateInvoice {
        id: String,
        status: InvoiceStatus,
        paid_at: Option<DateTime<Utc>>,
        attempt_count: i64,
        last_error: Option<String>,
        charge_id: Option<String>,
    },
    /// Records that a charge of invoice `id` is about to be made under `key`.
    BeginAttempt {
        id: String,
        key: String,
        token: String,
        attempt_count: i64,
    },
    /// Appends to the ledger (the batch fails if a balance would go negative).
    Ledger(LedgerRecord),
    /// Files a withdrawal request.
    InsertWithdrawal(WithdrawalRecord),
    /// Decides a requested withdrawal (fails with `AlreadyDone` if decided).
    DecideWithdrawal {
        id: String,
        status: String,
        decided_at: DateTime<Utc>,
        decided_by: String,
    },
    /// Makes a card the account's only default.
    SetDefaultPaymentMethod(PaymentMethodRecord),
    /// Appends to the audit log.
    Audit(AuditEntry),
    /// Queues an e-mail.
    Email(OutboxEmail),
    /// Queues a webhook event, with a snapshot of the account's
    /// subscription as the writes before it in the batch leave it.
    Event(NewEvent),
    /// Claims a once-only marker; the batch fails with `AlreadyDone` if taken.
    Once {
        marker: String,
        account_id: String,
        at: DateTime<Utc>,
    },
    /// Moves a test account's clock.
    SetClock {
        account_id: String,
        at: DateTime<Utc>,
    },
    /// Replaces a user's password hash.
    SetPassword {
        user_id: String,
        password_hash: String,
    },
    /// Ends the user's sessions, but for the one whose token hash is `except`.
    EndSessions {
        user_id: String,
        except: Option<String>,
    },
    /// Stores a password reset link.
    InsertPasswordReset(PasswordResetRecord),
    /// Uses a reset link: fails the batch with `AlreadyDone` unless it is
    /// unused and not expired at `at`.
    UsePasswordReset {
        token_hash: String,
        at: DateTime<Utc>,
    },
    /// Deletes every reset link of the user (a new password makes them moot).
    DeletePasswordResets { user_id: String },
    /// Sets a member's billing access.
    SetBillingAccess {
        user_id: String,
        access: BillingAccess,
    },
    /// Sets the account's owner-only cancel policy.
    SetCancelPolicy {
        account_id: String,
        cancel_requires_owner: bool,
    },
    /// Files a member's access request (fails with `Conflict` if one is open).
    InsertAccessRequest(AccessRequestRecord),
    /// Starts or updates a cancel-wizard session (upsert by id).
    CancelSession(CancelSessionRecord),
    /// Records product usage.
    Usage {
        id: String,
        account_id: String,
        kind: String,
        quantity: i64,
        at: DateTime<Utc>,
    },
    /// Deletes the account's data after the retention window.
    DeleteAccountData {
        account_id: String,
        at: DateTime<Utc>,
    },
    /// Decides an open access request.
    DecideAccessRequest {
        id: String,
        status: String,
        granted: Option<BillingAccess>,
        decided_at: DateTime<Utc>,
        decided_by: String,
    },
}

/// The batch as both engines apply it: with the webhook events its writes
/// publish ([`super::events::publish`]) and, in a batch that inserts an
/// invoice, its e-mails moved after every other write (in their own order),
/// so an e-mail names the number of an invoice of its batch wherever it
/// stands in it: the number is given by then.
pub(crate) fn prepared(writes: Vec<Write>) -> Vec<Write> {
    let mut writes = super::events::publish(writes);
    if writes.iter().any(|w| matches!(w, Write::InsertInvoice(_))) {
        let (emails, mut rest): (Vec<Write>, Vec<Write>) = writes
            .into_iter()
            .partition(|w| matches!(w, Write::Email(_)));
        rest.extend(emails);
        writes = rest;
    }
    writes
}

/// The accounts whose ledger the writes append to, each once, in the order
/// they first appear: those whose balances a batch's commit checks.
pub(crate) fn ledger_accounts(writes: &[Write]) -> Vec<String> {
    let mut accounts: Vec<String> = Vec::new();
    for write in writes {
        if let Write::Ledger(entry) = write {
            if !accounts.contains(&entry.account_id) {
                accounts.push(entry.account_id.clone());
            }
        }
    }
    accounts
}
