//! A batch of writes committed in one transaction: each write applied by its
//! concern's module, then the ledger of every account it touched checked.
//! Many batches at once ([`commit_many`]) share one transaction, each whole
//! or not at all within it, sent to the database as one script of
//! statements where their writes allow.

use super::stmt::{add_all, Stmt};
use super::{access, accounts, audit, cancel, events, idempotency, invoices, ledger, outbox};
use super::{security, subscriptions, Tx};
use crate::store::{StoreError, Write};
use futures::StreamExt;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, Either, Executor, SqlitePool};

/// Batches per script: one round trip to the database's thread for all of
/// them, and the same text (so prepared once) whenever as many come.
const SCRIPT_BATCHES: usize = 64;

/// Applies the writes in order and commits them all, or none.
pub(super) async fn commit(pool: &SqlitePool, writes: Vec<Write>) -> Result<(), StoreError> {
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

/// The accounts whose ledger the writes append to.
fn ledger_accounts(writes: &[Write]) -> Vec<String> {
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

/// Commits each batch as [`commit`] would, one after another in one
/// transaction: a batch that fails leaves nothing behind and the others
/// go on. If the transaction itself fails, every batch fails. The scripts
/// are made before `gate` is taken, so the turn of the one writer is spent
/// on the database's work alone.
pub(super) async fn commit_many(
    pool: &SqlitePool,
    gate: &tokio::sync::Mutex<()>,
    batches: Vec<Vec<Write>>,
) -> Vec<Result<(), StoreError>> {
    let mut results: Vec<Option<Result<(), StoreError>>> = batches.iter().map(|_| None).collect();
    let outcome = async {
        let parts = parts(&batches)?;
        let _turn = gate.lock().await;
        commit_parts(pool, &batches, parts, &mut results).await
    };
    match outcome.await {
        Ok(()) => results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(protocol("a batch was left out"))))
            .collect(),
        Err(e) => {
            let message = e.to_string();
            results
                .into_iter()
                .map(|r| match r {
                    Some(Err(e)) => Err(e),
                    _ => Err(protocol(&format!(
                        "the transaction of many batches failed: {message}"
                    ))),
                })
                .collect()
        }
    }
}

fn protocol(message: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(message.to_string()))
}

/// A batch as statements, when all its writes are plain statements.
struct Plan {
    stmts: Vec<Stmt>,
    ledger_accounts: Vec<String>,
}

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

/// A run of batches sent as one script, or one batch applied alone.
enum Part {
    Script(Vec<(usize, Plan)>, Script),
    Alone(usize),
}

/// The batches cut into parts, each script made.
fn parts(batches: &[Vec<Write>]) -> Result<Vec<Part>, StoreError> {
    let mut parts = Vec::new();
    let mut next = 0;
    while next < batches.len() {
        let plans: Vec<(usize, Plan)> = (next..batches.len().min(next + SCRIPT_BATCHES))
            .map_while(|j| plan(&batches[j]).map(|p| (j, p)))
            .collect();
        match plans.last().map(|(j, _)| j + 1) {
            None => {
                // A batch with other writes: applied on its own.
                parts.push(Part::Alone(next));
                next += 1;
            }
            Some(end) => {
                let script = script(&plans)?;
                parts.push(Part::Script(plans, script));
                next = end;
            }
        }
    }
    Ok(parts)
}

async fn commit_parts(
    pool: &SqlitePool,
    batches: &[Vec<Write>],
    parts: Vec<Part>,
    results: &mut [Option<Result<(), StoreError>>],
) -> Result<(), StoreError> {
    // The write lock from the start: no other writer can slip in between
    // the batches' statements.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for part in parts {
        let (mut live, mut script) = match part {
            Part::Alone(j) => {
                results[j] = Some(apply_alone(&mut tx, &batches[j]).await?);
                continue;
            }
            Part::Script(plans, script) => (plans, script),
        };
        // Those before the first batch that fails are kept as they ran
        // (after the same batches as one by one); the failed one is left
        // out and the script sent again without it, so each batch runs
        // after exactly the batches before it that succeeded.
        let mut failures = 0;
        loop {
            tx.execute("SAVEPOINT rs").await?;
            let Some((k, error)) = run_script(&mut tx, &live, script).await? else {
                tx.execute("RELEASE rs").await?;
                for (j, _) in &live {
                    results[*j] = Some(Ok(()));
                }
                break;
            };
            tx.execute("ROLLBACK TO rs; RELEASE rs").await?;
            let (j, _) = live.remove(k);
            results[j] = Some(Err(error));
            failures += 1;
            if failures > 1 {
                // Failing again: the rest one at a time.
                for (j, _) in live.drain(..) {
                    results[j] = Some(apply_alone(&mut tx, &batches[j]).await?);
                }
            }
            if live.is_empty() {
                break;
            }
            script = self::script(&live)?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Applies one batch's writes within the transaction, whole or not at all.
async fn apply_alone(
    tx: &mut Tx<'_>,
    writes: &[Write],
) -> Result<Result<(), StoreError>, StoreError> {
    tx.execute("SAVEPOINT rb").await?;
    let outcome = apply_all(tx, writes).await;
    if outcome.is_err() {
        tx.execute("ROLLBACK TO rb").await?;
    }
    tx.execute("RELEASE rb").await?;
    Ok(outcome)
}

/// What one statement of a script is for: the position of its batch
/// among the script's, and the index of its statement or ledger check.
enum Step {
    Write(usize, usize),
    Ledger(usize, usize),
}

impl Step {
    fn batch(&self) -> usize {
        match self {
            Step::Write(k, _) | Step::Ledger(k, _) => *k,
        }
    }
}

/// The batches' statements as one script.
struct Script {
    sql: String,
    args: SqliteArguments<'static>,
    steps: Vec<Step>,
}

fn script(plans: &[(usize, Plan)]) -> Result<Script, StoreError> {
    let mut sql = String::new();
    let mut args = SqliteArguments::default();
    let mut steps = Vec::new();
    for (k, (_, plan)) in plans.iter().enumerate() {
        for (i, stmt) in plan.stmts.iter().enumerate() {
            sql.push_str(stmt.sql);
            sql.push_str(";\n");
            add_all(&mut args, &stmt.args)?;
            steps.push(Step::Write(k, i));
        }
        for (i, account_id) in plan.ledger_accounts.iter().enumerate() {
            sql.push_str(ledger::BALANCE_ROWS);
            sql.push_str(";\n");
            args.add(account_id.clone())
                .map_err(|e| StoreError::Database(sqlx::Error::Encode(e)))?;
            steps.push(Step::Ledger(k, i));
        }
    }
    Ok(Script { sql, args, steps })
}

/// Sends a script of the batches `plans` and judges each outcome.
/// `Some((k, error))` for the first batch (by position) that failed; the
/// database then holds what ran, for the caller to roll back.
async fn run_script(
    tx: &mut Tx<'_>,
    plans: &[(usize, Plan)],
    script: Script,
) -> Result<Option<(usize, StoreError)>, StoreError> {
    let Script { sql, args, steps } = script;
    // Only a full script recurs often enough to be worth keeping prepared.
    let query = sqlx::query_with(&sql, args).persistent(plans.len() == SCRIPT_BATCHES);
    let mut stream = (&mut **tx).fetch_many(query);
    let mut done = 0;
    let mut rows: Vec<SqliteRow> = Vec::new();
    let mut failed: Option<(usize, StoreError)> = None;
    while let Some(item) = stream.next().await {
        let Some(step) = steps.get(done) else {
            return Err(protocol("a script answered more than it asked"));
        };
        let verdict = match (item, step) {
            (Ok(Either::Right(row)), _) => {
                rows.push(row);
                continue;
            }
            (Ok(Either::Left(result)), step) => {
                done += 1;
                let verdict = match *step {
                    Step::Write(k, i) => plans[k].1.stmts[i].judge(Ok(result.rows_affected())),
                    Step::Ledger(k, i) => ledger::check_rows(&plans[k].1.ledger_accounts[i], &rows),
                };
                rows.clear();
                verdict
            }
            // The database stops the script at a failed statement.
            (Err(e), Step::Write(k, i)) => plans[*k].1.stmts[*i].judge(Err(e)),
            (Err(e), Step::Ledger(..)) => Err(e.into()),
        };
        if let (Err(e), None) = (verdict, &failed) {
            failed = Some((step.batch(), e));
        }
    }
    if failed.is_none() && done != steps.len() {
        return Err(protocol("a script stopped before its end"));
    }
    Ok(failed)
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
