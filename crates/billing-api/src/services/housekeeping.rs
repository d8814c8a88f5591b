//! Forgetting what sign-in protection no longer needs: throttle counters
//! untouched for longer than a client stays known, and sessions that ended
//! (idle or past their absolute end) but were never used again, and reset
//! links past their expiry; and webhook events delivered (or given up)
//! more than a month ago.

use crate::services::throttle::KNOWN_CLIENT_DAYS;
use crate::state::AppState;
use chrono::Duration;
use std::time::Duration as StdDuration;

/// How long a delivered webhook event is kept (to answer "was it sent?").
pub const WEBHOOK_EVENT_DAYS: i64 = 30;

/// One pass: deletes stale throttle counters and ended sessions; how many went.
pub async fn run_once(state: &AppState) -> crate::services::error::ServiceResult<u64> {
    let now = state.clock.now();
    let counters = state
        .store
        .forget_throttles(now - Duration::days(KNOWN_CLIENT_DAYS))
        .await?;
    let sessions = state
        .store
        .forget_sessions(now, now - state.config.security.session_idle)
        .await?;
    let resets = state.store.forget_password_resets(now).await?;
    let events = state
        .store
        .forget_events(now - Duration::days(WEBHOOK_EVENT_DAYS))
        .await?;
    Ok(counters + sessions + resets + events)
}

/// Runs a pass every `every` until the server stops.
pub async fn run_forever(state: AppState, every: StdDuration) {
    loop {
        match run_once(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                count = n,
                "forgot stale sign-in counters, ended sessions and old webhook events"
            ),
            Err(e) => tracing::error!(error = ?e, "housekeeping failed; will retry"),
        }
        tokio::time::sleep(every).await;
    }
}
