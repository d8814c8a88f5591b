//! Leaving and staying (SPEC §5–§6): the cancel wizard's sessions and
//! offers, cancel and resume, pause and resume, refunds, balance
//! withdrawals, reactivation within the retention window, and deletion.
//!
//! Every step is one committed batch with its audit line and e-mail; the
//! wizard's sessions record the reason, offers shown and outcome for
//! save-rate reporting.

mod balance;
mod ending;
mod pause;
mod refund;
mod restart;
mod wizard;

pub use balance::{decide_withdrawal, decision, withdraw_balance, withdrawal_view, withdrawals};
pub use ending::{cancel, delete_data, request_refund, resume_cancellation, take_effect};
pub use pause::{pause, pause_instead, resume};
pub use refund::{record_usage, refund_quote};
pub use restart::{pay_for_period, reactivate, recover, Attempted};
pub use wizard::{
    accept_offer, choose_reason, ensure_session, flow_view, request_meeting, start_session,
};

use crate::services::actor::Actor;
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::store::{CancelSessionRecord, SubscriptionRecord, Write};
use anyhow::anyhow;
use billing_domain::subscription::{apply, Event};
use billing_domain::wire::CancelSession;
use billing_domain::SubscriptionStatus;
use chrono::{DateTime, Utc};

/// The longest free text a reason or note may carry.
const MAX_TEXT: usize = 1_000;

/// Refuses a note longer than [`MAX_TEXT`], counted as sent (as the
/// schema's `maxLength` counts), whichever step it comes with.
pub fn check_note(note: Option<&str>) -> Result<(), ServiceError> {
    if note.is_some_and(|n| n.chars().count() > MAX_TEXT) {
        return Err(ServiceError::invalid(
            "note",
            "too_long",
            format!("Keep it under {MAX_TEXT} characters."),
        ));
    }
    Ok(())
}

async fn subscription(
    state: &AppState,
    account_id: &str,
) -> Result<SubscriptionRecord, ServiceError> {
    Ok(state
        .store
        .subscription(account_id)
        .await?
        .ok_or_else(|| anyhow!("account {account_id} has no subscription"))?)
}

fn conflict(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Conflict {
        code,
        message: message.into(),
    }
}

async fn commit(state: &AppState, writes: Vec<Write>) -> Result<(), ServiceError> {
    Ok(state.store.commit(writes).await?)
}

fn transition(
    sub: &SubscriptionRecord,
    event: Event,
    at: DateTime<Utc>,
) -> Result<SubscriptionStatus, ServiceError> {
    apply(sub.status, event, at).map(|t| t.to).map_err(|_| {
        conflict(
            "invalid_state",
            format!(
                "That isn't possible while the subscription is {}.",
                sub.status.label().to_lowercase()
            ),
        )
    })
}

fn session_view(state: &AppState, s: &CancelSessionRecord) -> CancelSession {
    CancelSession {
        id: s.id.clone(),
        reason: s.reason.clone(),
        reason_text: s.reason_text.clone(),
        offers: s
            .offers_shown
            .iter()
            .filter_map(|id| state.cancel_flow.offer(id).cloned())
            .collect(),
    }
}

async fn open_session(
    state: &AppState,
    user: &Actor,
    id: &str,
) -> Result<CancelSessionRecord, ServiceError> {
    let s = state
        .store
        .cancel_session(id)
        .await?
        .filter(|s| s.account_id == user.account.id)
        .ok_or(ServiceError::NotFound("cancel session"))?;
    if s.outcome.is_some() {
        return Err(conflict(
            "session_finished",
            "This cancellation was already completed or saved.",
        ));
    }
    Ok(s)
}

async fn finish_session(
    state: &AppState,
    session_id: Option<&str>,
    user: &Actor,
    outcome: &str,
    offer_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Option<Write>, ServiceError> {
    let Some(id) = session_id else {
        return Ok(None);
    };
    let mut s = open_session(state, user, id).await?;
    s.outcome = Some(outcome.into());
    s.offer_id = offer_id.map(str::to_string);
    s.ended_at = Some(at);
    Ok(Some(Write::CancelSession(s)))
}
