//! A batch of writes committed in one transaction: the counters of the
//! accounts it numbers things for taken first, each write applied by its
//! concern's module, then the ledger of every account it touched checked.

use super::{access, accounts, audit, cancel, events, idempotency, invoices, ledger, outbox};
use super::{counters, security, subscriptions, Tx};
use crate::store::{StoreError, Write};
use sqlx::PgPool;
use std::collections::HashSet;

/// Applies the writes in order and commits them all, or none.
pub(super) async fn commit(pool: &PgPool, writes: Vec<Write>) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Batches that number things for an account, or move its money, run one
    // after another from here: the balance check below then sees every
    // entry committed before it.
    counters::hold(&mut tx, &numbered_accounts(&writes)).await?;
    let mut ledger_accounts: Vec<String> = Vec::new();
    for write in &writes {
        apply(&mut tx, write).await?;
        if let Write::Ledger(entry) = write {
            if !ledger_accounts.contains(&entry.account_id) {
                ledger_accounts.push(entry.account_id.clone());
            }
        }
    }
    for account_id in &ledger_accounts {
        ledger::check_balances(&mut tx, account_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Batches committed at once by [`commit_many`], each in its own transaction.
const CONCURRENT_BATCHES: usize = 8;

/// Commits each batch as [`commit`] would, several at once on the pool, but
/// one after another where they share an account: batches of one account
/// keep their order (the earlier claims a marker first, sees the earlier
/// balance), while batches of different accounts run side by side.
pub(super) async fn commit_many(
    pool: &PgPool,
    batches: Vec<Vec<Write>>,
) -> Vec<Result<(), StoreError>> {
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
        Write::InsertInvoice(inv) => invoices::insert_invoice(tx, inv).await,
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
        } => invoices::begin_attempt(tx, id, key, token, *attempt_count).await,
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
        Write::Email(email) => outbox::insert_email(tx, email).await,
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
