//! Runs billing work that has fallen due, in time order, each job at its own
//! moment: reminders, renewals, charges left unfinished, grace endings and
//! deactivations. Driven by a clock: the server's for real accounts, a test
//! account's own for the test clock. Running it twice for the same `now`
//! does nothing the second time.

use crate::services::billing::{self, Attempt};
use crate::services::renewals;
use crate::state::AppState;
use billing_domain::subscription::FREEZE_REMINDER_DAYS;
use billing_domain::SubscriptionStatus;
use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use std::time::Duration as StdDuration;

/// The most jobs one run does for one account (ten years of monthly work
/// is far fewer): a guard against a job that never marks itself done.
const MAX_JOBS: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
enum Job {
    RemindNoCard(i64),
    Renew,
    Collect(String),
    WarnGraceEnding(DateTime<Utc>),
    Deactivate,
    CancellationTakesEffect,
    DeleteData,
}

/// Does every job of `account_id` due at or before `until`, oldest first.
/// Returns how many ran.
pub async fn run_due(
    state: &AppState,
    account_id: &str,
    until: DateTime<Utc>,
) -> crate::services::error::ServiceResult<usize> {
    let _guard = state.account_lock(account_id).await?;
    run_due_locked(state, account_id, until).await
}

/// Moves a test account's clock on by `seconds`, doing what falls due on
/// the way; returns the new time. Read, run and write under the account's
/// lock, so advances sent at once (to any instance) add up.
pub async fn advance_clock(
    state: &AppState,
    account_id: &str,
    seconds: i64,
) -> crate::services::error::ServiceResult<DateTime<Utc>> {
    let _guard = state.account_lock(account_id).await?;
    let account = state.store.account(account_id).await?.ok_or(
        crate::services::error::ServiceError::NotFound("test account"),
    )?;
    let from = account.clock_at.unwrap_or_else(|| state.clock.now());
    let to = from + Duration::seconds(seconds);
    run_due_locked(state, account_id, to).await?;
    state
        .store
        .commit(vec![crate::store::Write::SetClock {
            account_id: account_id.into(),
            at: to,
        }])
        .await?;
    Ok(to)
}

/// [`run_due`] with the account's lock already held.
async fn run_due_locked(
    state: &AppState,
    account_id: &str,
    until: DateTime<Utc>,
) -> crate::services::error::ServiceResult<usize> {
    // Charges left in flight by a crash or a store error are settled first,
    // asking the gateway under the same key.
    if let Some(account) = state.store.account(account_id).await? {
        crate::services::charge::reconcile(state, &account, until).await?;
    }
    let mut ran = 0;
    while ran < MAX_JOBS {
        let Some(account) = state.store.account(account_id).await? else {
            return Ok(ran);
        };
        let Some(sub) = state.store.subscription(account_id).await? else {
            return Ok(ran);
        };
        let card = state.store.default_payment_method(account_id).await?;
        let mut jobs: Vec<(DateTime<Utc>, Job)> = Vec::new();
        if sub.status == SubscriptionStatus::CancelScheduled {
            jobs.push((
                sub.cancel_at.unwrap_or(sub.current_period_end),
                Job::CancellationTakesEffect,
            ));
        }
        if let (SubscriptionStatus::Canceled, Some(at)) = (sub.status, sub.canceled_at) {
            let days = i64::from(state.cancel_flow.file.retention_days);
            jobs.push((at + Duration::days(days), Job::DeleteData));
        }
        if sub.status == SubscriptionStatus::Paused {
            jobs.push((sub.current_period_end, Job::Renew));
        }
        if sub.status == SubscriptionStatus::Active {
            if card.is_none() {
                for days in FREEZE_REMINDER_DAYS {
                    let at = sub.current_period_end - Duration::days(days);
                    let marker =
                        billing::freeze_reminder_marker(account_id, sub.current_period_end, days);
                    if at > sub.current_period_start && !state.store.marker_exists(&marker).await? {
                        jobs.push((at, Job::RemindNoCard(days)));
                    }
                }
            }
            jobs.push((sub.current_period_end, Job::Renew));
        }
        if sub.status == SubscriptionStatus::PastDue {
            if let Some(grace_until) = sub.grace_until {
                let warn_at = grace_until - Duration::days(1);
                if !state
                    .store
                    .marker_exists(&billing::grace_ending_marker(account_id, grace_until))
                    .await?
                {
                    jobs.push((warn_at, Job::WarnGraceEnding(grace_until)));
                }
                jobs.push((grace_until, Job::Deactivate));
            }
        }
        if card.is_some()
            && matches!(
                sub.status,
                SubscriptionStatus::Active | SubscriptionStatus::PastDue
            )
        {
            // A charge that was never attempted (the process stopped between
            // invoicing and charging) is attempted now.
            for inv in state.store.open_invoices(account_id).await? {
                if inv.attempt_count == 0 && inv.settlement.is_none() {
                    jobs.push((inv.created_at, Job::Collect(inv.id)));
                }
            }
        }
        let Some((at, job)) = jobs
            .into_iter()
            .filter(|(at, _)| *at <= until)
            .min_by_key(|(at, _)| *at)
        else {
            return Ok(ran);
        };
        tracing::debug!(account = %account_id, %at, ?job, "running billing job");
        match job {
            Job::RemindNoCard(days) => billing::remind_no_card(state, &account, days, at).await?,
            Job::Renew => billing::renew(state, &account, at).await?,
            Job::Collect(id) => {
                // A decline is recorded by `collect` itself (state, audit, e-mail).
                let _verdict = billing::collect(state, &account, &id, at, Attempt::Renewal).await?;
            }
            Job::WarnGraceEnding(grace_until) => {
                billing::warn_grace_ending(state, &account, grace_until, at).await?
            }
            Job::Deactivate => billing::deactivate(state, &account, at).await?,
            Job::CancellationTakesEffect => {
                crate::services::cancel::take_effect(state, &account, at).await?
            }
            Job::DeleteData => crate::services::cancel::delete_data(state, &account, at).await?,
        }
        ran += 1;
    }
    Err(
        anyhow::anyhow!("account {account_id}: more than {MAX_JOBS} billing jobs due at once")
            .into(),
    )
}

/// How many groups of accounts the server's scheduler runs at once: what
/// suits its store ([`crate::store::Store::scheduler_groups`]).
pub fn concurrency(state: &AppState) -> usize {
    state.store.scheduler_groups()
}

/// Accounts taken together: locked, read and renewed at once.
const GROUP: usize = 1024;

/// What one pass of the scheduler did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Accounts visited (those with work possibly due).
    pub accounts: usize,
    /// Jobs run.
    pub jobs: usize,
    /// Accounts whose run failed (retried on the next pass).
    pub failed: usize,
    /// Accounts skipped because someone held their lock (at work on them
    /// now: another instance's pass, or a change); the next pass sees
    /// what is left.
    pub busy: usize,
}

impl Pass {
    fn add(&mut self, other: Pass) {
        self.accounts += other.accounts;
        self.jobs += other.jobs;
        self.failed += other.failed;
        self.busy += other.busy;
    }
}

/// Runs what is due now for every account on the server's clock, in
/// groups, `concurrency` groups at a time. Each group's plain renewals are
/// done together ([`renewals::renew_many`]) under the accounts' locks;
/// every other account, and any the group could not finish, runs on its
/// own ([`run_due`]). Accounts whose lock someone else holds are left to
/// the next pass. Any number of instances may run passes at once: the
/// locks keep each account's work to one of them at a time, the once-only
/// markers each job to one run, and each pass takes the groups in an order
/// of its own, so passes at once mostly work on different accounts.
pub async fn run_pass(
    state: &AppState,
    concurrency: usize,
) -> crate::services::error::ServiceResult<Pass> {
    let now = state.clock.now();
    // Reminders fall due up to a week before a period ends.
    let horizon = now + Duration::days(FREEZE_REMINDER_DAYS[0]);
    // Neighbours in the key space go together: their rows share index pages.
    let mut ids = state.store.accounts_with_work(horizon).await?;
    ids.sort_unstable();
    let mut groups: Vec<Vec<String>> = ids.chunks(GROUP).map(<[String]>::to_vec).collect();
    groups.shuffle(&mut rand::thread_rng());
    let groups = std::sync::Arc::new(groups);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.clamp(1, groups.len().max(1)) {
        let (state, groups, next) = (state.clone(), groups.clone(), next.clone());
        workers.spawn(async move {
            let mut pass = Pass::default();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(group) = groups.get(i) else {
                    return pass;
                };
                pass.add(run_group(&state, group, now).await);
            }
        });
    }
    let mut total = Pass::default();
    while let Some(done) = workers.join_next().await {
        total.add(done.map_err(anyhow::Error::from)?);
    }
    Ok(total)
}

/// One group of a pass.
async fn run_group(state: &AppState, ids: &[String], now: DateTime<Utc>) -> Pass {
    let mut pass = Pass {
        accounts: ids.len(),
        ..Pass::default()
    };
    let mut alone: Vec<String> = Vec::new();
    match state.store.try_lock_accounts(ids).await {
        Ok((guard, held)) => {
            pass.busy = ids.len() - held.len();
            let together = async {
                let snapshots = state.store.snapshots(&held).await?;
                renewals::renew_many(state, &snapshots, now).await
            };
            match together.await {
                Ok(done) => {
                    pass.jobs += done.renewed;
                    alone.extend(done.rest);
                }
                Err(e) => {
                    tracing::warn!(error = ?e, "renewing a group at once failed; running it account by account");
                    alone.extend(held);
                }
            }
            drop(guard);
        }
        Err(e) => {
            tracing::warn!(error = ?e, "locking a group failed; running it account by account");
            alone.extend(ids.iter().cloned());
        }
    }
    for id in &alone {
        match run_due(state, id, now).await {
            Ok(jobs) => pass.jobs += jobs,
            Err(e) => {
                pass.failed += 1;
                tracing::error!(account = %id, error = ?e, "billing run failed; will retry");
            }
        }
    }
    pass
}

/// Runs a pass every `every`, `concurrency` accounts at a time.
pub async fn run_forever(state: AppState, every: StdDuration, concurrency: usize) {
    loop {
        if let Err(e) = run_pass(&state, concurrency).await {
            tracing::error!(error = ?e, "listing accounts with billing work");
        }
        tokio::time::sleep(every).await;
    }
}
