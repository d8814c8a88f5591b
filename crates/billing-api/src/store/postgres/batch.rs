//! A batch of writes committed in one transaction: the counters of the
//! accounts it numbers things for taken first, each write applied by its
//! concern's module, then the ledger of every account it touched checked.
//! Many batches at once ([`commit_many`]) share a transaction, each whole
//! or, if the shared one is refused, on its own.

use super::{access, accounts, audit, cancel, events, idempotency, invoices, ledger, outbox};
use super::{counters, security, subscriptions, Tx};
use crate::store::write::ledger_accounts;
use crate::store::{InvoiceRecord, OutboxEmail, StoreError, Write};
use sqlx::PgPool;
use std::collections::HashSet;

/// Applies the writes and commits them all, or none: as a chunk of one
/// batch ([`commit_chunk`]), so its documents are numbered at the end.
pub(super) async fn commit(pool: &PgPool, writes: Vec<Write>) -> Result<(), StoreError> {
    commit_chunk(pool, std::slice::from_ref(&writes)).await
}

/// Batches a transaction of [`commit_many`] holds at most.
const CHUNK: usize = 128;

/// Batches committed at once by [`commit_one_by_one`], each in its own
/// transaction.
const CONCURRENT_BATCHES: usize = 8;

/// Commits each batch whole or not at all, as [`commit`] would, in
/// transactions of up to [`CHUNK`] batches: one commit (one flush of the
/// log) for all of them, and the vendor-wide document sequences held for
/// the end of it only (see [`ChunkOrder`]). A chunk is tried whole; if any
/// of its writes is refused it is rolled back and its batches are committed
/// one by one, so each gets its own outcome.
pub(super) async fn commit_many(
    pool: &PgPool,
    batches: Vec<Vec<Write>>,
) -> Vec<Result<(), StoreError>> {
    let mut results: Vec<Result<(), StoreError>> = Vec::with_capacity(batches.len());
    let mut batches = batches.into_iter().peekable();
    while batches.peek().is_some() {
        let chunk: Vec<Vec<Write>> = batches.by_ref().take(CHUNK).collect();
        match commit_chunk(pool, &chunk).await {
            Ok(()) => results.extend(chunk.iter().map(|_| Ok(()))),
            Err(e) => {
                tracing::debug!(error = %e, batches = chunk.len(), "a chunk was refused; committing its batches one by one");
                results.extend(commit_one_by_one(pool, chunk).await);
            }
        }
    }
    results
}

/// Commits the batches of a chunk in one transaction, or none of them.
async fn commit_chunk(pool: &PgPool, chunk: &[Vec<Write>]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Batches that number things for an account, or move its money, run one
    // after another from here: the balance checks below then see every
    // entry committed before them.
    let numbered: Vec<String> = chunk.iter().flat_map(|w| numbered_accounts(w)).collect();
    counters::hold(&mut tx, &numbered).await?;
    let order = ChunkOrder::of(chunk);
    for (i, writes) in order.first.iter().enumerate() {
        for write in writes {
            apply(&mut tx, write).await?;
        }
        // Each batch's balances as it leaves them, as one commit would check.
        for account_id in ledger_accounts(&chunk[i]) {
            ledger::check_balances(&mut tx, &account_id).await?;
        }
    }
    invoices::insert_invoices(&mut tx, &order.invoices).await?;
    // Attempts begun one after another go in one statement.
    let attempt = |w: &Write| matches!(w, Write::BeginAttempt { .. });
    for run in order.on_documents.chunk_by(|a, b| attempt(a) && attempt(b)) {
        if !attempt(run[0]) {
            for write in run {
                apply(&mut tx, write).await?;
            }
            continue;
        }
        let attempts: Vec<(&str, &str, &str, i64)> = run
            .iter()
            .filter_map(|w| match w {
                Write::BeginAttempt {
                    id,
                    key,
                    token,
                    attempt_count,
                } => Some((id.as_str(), key.as_str(), token.as_str(), *attempt_count)),
                _ => None,
            })
            .collect();
        invoices::begin_attempts(&mut tx, &attempts).await?;
    }
    outbox::insert_emails(&mut tx, &order.emails).await?;
    tx.commit().await?;
    Ok(())
}

/// The writes of a chunk in the order its transaction applies them:
/// first, batch by batch in their order, every write that neither numbers
/// a document nor touches one the chunk numbers; then the chunk's invoices,
/// numbered in their order; then the other writes on documents (credit
/// notes, attempts and payments of the chunk's invoices), in their order;
/// then the e-mails (which name the numbers). Numbering a document takes the
/// one vendor-wide sequence row, held by the transaction until it ends, so
/// every other numbering transaction waits from there: last, it is held for
/// the end alone, a few statements for the whole chunk. Nothing in the
/// first part reads or refers by key to a document of the chunk (a ledger
/// entry names its invoice as a value), and each write on a document still
/// follows the document's insert, so each batch's writes keep their
/// meaning.
struct ChunkOrder<'a> {
    first: Vec<Vec<&'a Write>>,
    invoices: Vec<&'a InvoiceRecord>,
    on_documents: Vec<&'a Write>,
    emails: Vec<&'a OutboxEmail>,
}

impl<'a> ChunkOrder<'a> {
    fn of(chunk: &'a [Vec<Write>]) -> ChunkOrder<'a> {
        let documents: HashSet<&str> = chunk
            .iter()
            .flatten()
            .filter_map(|w| match w {
                Write::InsertInvoice(inv) => Some(inv.id.as_str()),
                _ => None,
            })
            .collect();
        let mut order = ChunkOrder {
            first: Vec::with_capacity(chunk.len()),
            invoices: Vec::new(),
            on_documents: Vec::new(),
            emails: Vec::new(),
        };
        for writes in chunk {
            let mut own = Vec::with_capacity(writes.len());
            for write in writes {
                match write {
                    Write::Email(email) => order.emails.push(email),
                    Write::InsertInvoice(inv) => order.invoices.push(inv),
                    Write::InsertCreditNote(_) => order.on_documents.push(write),
                    Write::BeginAttempt { id, .. } | Write::UpdateInvoice { id, .. }
                        if documents.contains(id.as_str()) =>
                    {
                        order.on_documents.push(write)
                    }
                    _ => own.push(write),
                }
            }
            order.first.push(own);
        }
        order
    }
}

/// Commits each batch as [`commit`] would, several at once on the pool, but
/// one after another where they share an account: batches of one account
/// keep their order (the earlier claims a marker first, sees the earlier
/// balance), while batches of different accounts run side by side.
async fn commit_one_by_one(pool: &PgPool, batches: Vec<Vec<Write>>) -> Vec<Result<(), StoreError>> {
    let mut results: Vec<Result<(), StoreError>> = Vec::with_capacity(batches.len());
    let mut wave: Vec<Vec<Write>> = Vec::new();
    let mut wave_accounts: HashSet<String> = HashSet::new();
    for writes in batches {
        let accounts = batch_accounts(&writes);
        if accounts.iter().any(|a| wave_accounts.contains(a)) {
            results.extend(commit_wave(pool, std::mem::take(&mut wave)).await);
            wave_accounts.clear();
        }
        wave_accounts.extend(accounts);
        wave.push(writes);
    }
    results.extend(commit_wave(pool, wave).await);
    results
}

/// Commits batches that share no account, several at once; their outcomes
/// in order.
async fn commit_wave(pool: &PgPool, batches: Vec<Vec<Write>>) -> Vec<Result<(), StoreError>> {
    let mut results: Vec<Option<Result<(), StoreError>>> = batches.iter().map(|_| None).collect();
    let mut pending = batches.into_iter().enumerate();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < CONCURRENT_BATCHES {
            let Some((i, writes)) = pending.next() else {
                break;
            };
            let pool = pool.clone();
            running.spawn(async move { (i, commit(&pool, writes).await) });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        match done {
            Ok((i, outcome)) => results[i] = Some(outcome),
            Err(e) => {
                return results
                    .into_iter()
                    .map(|r| {
                        r.unwrap_or_else(|| {
                            Err(StoreError::Database(sqlx::Error::Protocol(format!(
                                "a commit stopped: {e}"
                            ))))
                        })
                    })
                    .collect()
            }
        }
    }
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(StoreError::Database(sqlx::Error::Protocol(
                    "a batch was left out".into(),
                )))
            })
        })
        .collect()
}

/// The accounts a batch writes for: those it numbers things for, and those
/// whose subscription, markers or clock it changes.
fn batch_accounts(writes: &[Write]) -> Vec<String> {
    let mut accounts = numbered_accounts(writes);
    accounts.extend(writes.iter().filter_map(|w| match w {
        Write::Subscription { record, .. } => Some(record.account_id.clone()),
        Write::Once { account_id, .. } | Write::SetClock { account_id, .. } => {
            Some(account_id.clone())
        }
        _ => None,
    }));
    accounts
}

/// The accounts whose invoices, audit lines or ledger entries the batch numbers.
fn numbered_accounts(writes: &[Write]) -> Vec<String> {
    writes
        .iter()
        .filter_map(|w| match w {
            Write::InsertInvoice(inv) => Some(inv.account_id.clone()),
            Write::Audit(entry) => Some(entry.account_id.clone()),
            Write::Ledger(entry) => Some(entry.account_id.clone()),
            // An account's events are numbered in the order its batches commit.
            Write::Event(event) => Some(event.account_id.clone()),
            _ => None,
        })
        .collect()
}

/// One write inside the batch's transaction.
async fn apply(tx: &mut Tx<'_>, write: &Write) -> Result<(), StoreError> {
    match write {
        Write::Subscription {
            record,
            expected_version,
        } => subscriptions::write_subscription(tx, record, *expected_version).await,
        Write::InsertInvoice(inv) => invoices::insert_invoices(tx, &[inv]).await,
        Write::InsertCreditNote(cn) => invoices::insert_credit_note(tx, cn).await,
        Write::SetBillingDetails {
            account_id,
            details,
        } => accounts::set_billing_details(tx, account_id, details).await,
        Write::UpdateInvoice {
            id,
            status,
            paid_at,
            attempt_count,
            last_error,
            charge_id,
        } => {
            invoices::update_invoice(
                tx,
                id,
                *status,
                *paid_at,
                *attempt_count,
                last_error.as_deref(),
                charge_id.as_deref(),
            )
            .await
        }
        Write::BeginAttempt {
            id,
            key,
            token,
            attempt_count,
        } => invoices::begin_attempts(tx, &[(id, key, token, *attempt_count)]).await,
        Write::Ledger(entry) => ledger::insert_ledger(tx, entry).await,
        Write::InsertWithdrawal(w) => ledger::insert_withdrawal(tx, w).await,
        Write::DecideWithdrawal {
            id,
            status,
            decided_at,
            decided_by,
        } => ledger::decide_withdrawal(tx, id, status, *decided_at, decided_by).await,
        Write::SetDefaultPaymentMethod(pm) => accounts::set_default_card(tx, pm).await,
        Write::Audit(entry) => audit::insert_audit(tx, entry).await,
        Write::Email(email) => outbox::insert_emails(tx, &[email]).await,
        Write::Event(event) => events::insert_event(tx, event).await,
        Write::Once {
            marker,
            account_id,
            at,
        } => idempotency::claim_once(tx, marker, account_id, *at).await,
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
