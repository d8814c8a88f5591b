//! A batch of writes committed in one transaction: each write applied by its
//! concern's module, then the ledger of every account it touched checked.
//! A batch of plain statements (every write of renewals, charges and most
//! changes) is committed on the direct connection (`direct`); many such
//! batches at once ([`commit_many`]) share one transaction there, each
//! whole or not at all within it.

use super::direct::{Direct, Plan};
use super::stmt::Stmt;
use super::{access, accounts, audit, cancel, events, idempotency, invoices, ledger, outbox};
use super::{security, subscriptions, Tx};
use crate::store::write::ledger_accounts;
use crate::store::{StoreError, Write};
use sqlx::SqlitePool;

/// Applies the writes in order and commits them all, or none: on the
/// direct connection when they are all plain statements, else through sqlx.
/// The caller holds the write gate.
pub(super) async fn commit(
    pool: &SqlitePool,
    direct: &Direct,
    writes: Vec<Write>,
) -> Result<(), StoreError> {
    match plan(&writes) {
        Some(p) => commit_direct(direct, vec![p])
            .pop()
            .unwrap_or_else(|| Err(protocol("a batch was left out"))),
        None => commit_sqlx(pool, writes).await,
    }
}

/// [`commit`] through sqlx.
async fn commit_sqlx(pool: &SqlitePool, writes: Vec<Write>) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    apply_all(&mut tx, &writes).await?;
    tx.commit().await?;
    Ok(())
}

/// Applies a batch's writes in order, then checks the ledger of every
/// account they moved money for.
async fn apply_all(tx: &mut Tx<'_>, writes: &[Write]) -> Result<(), StoreError> {
    for write in writes {
        apply(tx, write).await?;
    }
    for account_id in ledger_accounts(writes) {
        ledger::check_balances(tx, &account_id).await?;
    }
    Ok(())
}

/// Commits each batch as [`commit`] would, in order: a batch that fails
/// leaves nothing behind and the others go on. Runs of batches made of
/// plain statements share one transaction on the direct connection; any
/// other batch is committed alone through sqlx.
pub(super) async fn commit_many(
    pool: &SqlitePool,
    direct: &Direct,
    gate: &tokio::sync::Mutex<()>,
    batches: Vec<Vec<Write>>,
) -> Vec<Result<(), StoreError>> {
    let mut results = Vec::with_capacity(batches.len());
    let mut run: Vec<Plan> = Vec::new();
    for writes in batches {
        match plan(&writes) {
            Some(p) => run.push(p),
            None => {
                let plans = std::mem::take(&mut run);
                let _turn = gate.lock().await;
                results.extend(commit_direct(direct, plans));
                results.push(commit_sqlx(pool, writes).await);
            }
        }
    }
    let _turn = gate.lock().await;
    results.extend(commit_direct(direct, run));
    results
}

/// Batches at once above which the direct connection's work is announced
/// to the runtime as blocking (so its other tasks move to another thread):
/// a few statements take less time than that hand-over.
const BLOCKING_PLANS: usize = 16;

/// Commits plans on the direct connection, on this thread.
fn commit_direct(direct: &Direct, plans: Vec<Plan>) -> Vec<Result<(), StoreError>> {
    if plans.is_empty() {
        return Vec::new();
    }
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if plans.len() > BLOCKING_PLANS && multi_thread {
        tokio::task::block_in_place(|| direct.commit(&plans))
    } else {
        direct.commit(&plans)
    }
}

fn protocol(message: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(message.to_string()))
}

/// A batch as statements, when all its writes are plain statements.
fn plan(writes: &[Write]) -> Option<Plan> {
    let mut stmts = Vec::new();
    for write in writes {
        stmts.extend(statements(write)?);
    }
    Some(Plan {
        stmts,
        ledger_accounts: ledger_accounts(writes),
    })
}

/// The statements of a write that is nothing but plain statements (every
/// write of renewals and charges); `None` for the others.
fn statements(write: &Write) -> Option<Vec<Stmt>> {
    Some(match write {
        Write::Subscription {
            record,
            expected_version,
        } => vec![subscriptions::write_subscription_stmt(
            record,
            *expected_version,
        )],
        Write::InsertInvoice(inv) => invoices::insert_invoice_stmts(inv),
        Write::InsertCreditNote(cn) => invoices::insert_credit_note_stmts(cn),
        Write::SetBillingDetails {
            account_id,
            details,
        } => vec![accounts::set_billing_details_stmt(account_id, details)],
        Write::UpdateInvoice {
            id,
            status,
            paid_at,
            attempt_count,
            last_error,
            charge_id,
        } => vec![invoices::update_invoice_stmt(
            id,
            *status,
            *paid_at,
            *attempt_count,
            last_error.as_deref(),
            charge_id.as_deref(),
        )],
        Write::BeginAttempt {
            id,
            key,
            token,
            attempt_count,
        } => vec![invoices::begin_attempt_stmt(id, key, token, *attempt_count)],
        Write::Ledger(entry) => vec![ledger::insert_ledger_stmt(entry)],
        Write::Audit(entry) => vec![audit::insert_audit_stmt(entry)],
        Write::Email(email) => vec![outbox::insert_email_stmt(email)],
        Write::Event(event) => vec![events::insert_event_stmt(event)],
        Write::Once {
            marker,
            account_id,
            at,
        } => vec![idempotency::claim_once_stmt(marker, account_id, *at)],
        _ => return None,
    })
}

/// One write inside the batch's transaction.
async fn apply(tx: &mut Tx<'_>, write: &Write) -> Result<(), StoreError> {
    if let Some(stmts) = statements(write) {
        for stmt in stmts {
            stmt.run(tx).await?;
        }
        return Ok(());
    }
    match write {
        Write::Subscription { .. }
        | Write::InsertInvoice(_)
        | Write::InsertCreditNote(_)
        | Write::SetBillingDetails { .. }
        | Write::UpdateInvoice { .. }
        | Write::BeginAttempt { .. }
        | Write::Ledger(_)
        | Write::Audit(_)
        | Write::Email(_)
        | Write::Event(_)
        | Write::Once { .. } => Ok(()),
        Write::InsertWithdrawal(w) => ledger::insert_withdrawal(tx, w).await,
        Write::DecideWithdrawal {
            id,
            status,
            decided_at,
            decided_by,
        } => ledger::decide_withdrawal(tx, id, status, *decided_at, decided_by).await,
        Write::SetDefaultPaymentMethod(pm) => accounts::set_default_card(tx, pm).await,
        Write::CancelSession(c) => cancel::upsert_cancel_session(tx, c).await,
        Write::Usage {
            id,
            account_id,
            kind,
            quantity,
            at,
        } => cancel::insert_usage(tx, id, account_id, kind, *quantity, *at).await,
        Write::DeleteAccountData { account_id, at } => {
            accounts::delete_account_data(tx, account_id, *at).await
        }
        Write::SetPassword {
            user_id,
            password_hash,
        } => security::set_password(tx, user_id, password_hash).await,
        Write::InsertPasswordReset(r) => security::insert_password_reset(tx, r).await,
        Write::UsePasswordReset { token_hash, at } => {
            security::use_password_reset(tx, token_hash, *at).await
        }
        Write::DeletePasswordResets { user_id } => {
            security::delete_password_resets(tx, user_id).await
        }
        Write::EndSessions { user_id, except } => {
            security::end_sessions(tx, user_id, except.as_deref()).await
        }
        Write::SetBillingAccess { user_id, access } => {
            accounts::update_billing_access(tx, user_id, *access).await
        }
        Write::SetCancelPolicy {
            account_id,
            cancel_requires_owner,
        } => accounts::set_cancel_policy(tx, account_id, *cancel_requires_owner).await,
        Write::InsertAccessRequest(r) => access::insert_access_request(tx, r).await,
        Write::DecideAccessRequest {
            id,
            status,
            granted,
            decided_at,
            decided_by,
        } => access::decide_access_request(tx, id, status, *granted, *decided_at, decided_by).await,
        Write::SetClock { account_id, at } => accounts::set_clock(tx, account_id, *at).await,
    }
}
