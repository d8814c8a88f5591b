//! Sessions over their life (SPEC §14): an idle time-out and an absolute
//! lifetime, changing the password (which signs out every other session),
//! and signing out of the other sessions on request.

use crate::mail::templates::{password_changed, PasswordChange};
use crate::mail::to_user;
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::password::{hash_password, verify_password};
use crate::services::password_reset::public_url;
use crate::services::throttle;
use crate::state::AppState;
use crate::store::{SessionRecord, Write};
use billing_domain::audit::AuditAction;
use billing_domain::password::check_new_password;
use chrono::Duration;

/// A session's last use is written at most this often (not on every request).
pub const TOUCH_EVERY_SECS: i64 = 60;

/// Whether `session` is still alive at `now`: before its absolute end and
/// used within the idle time-out.
pub fn is_alive(
    session: &SessionRecord,
    now: chrono::DateTime<chrono::Utc>,
    idle: Duration,
) -> bool {
    session.expires_at > now && now - session.last_seen_at < idle
}

/// Ends a session that is past its end or idle too long; else notes its use.
pub async fn keep_alive(state: &AppState, session: &SessionRecord) -> ServiceResult<()> {
    let now = state.clock.now();
    if !is_alive(session, now, state.config.security.session_idle) {
        state.store.delete_session(&session.token_hash).await?;
        return Err(ServiceError::Unauthenticated);
    }
    if now - session.last_seen_at >= Duration::seconds(TOUCH_EVERY_SECS) {
        state.store.touch_session(&session.token_hash, now).await?;
    }
    Ok(())
}

/// Changes the actor's password: the current one must be right (guesses
/// are throttled as sign-ins are, from `client`), the new one must meet
/// the rules and differ from it. Every other session of the user ends;
/// the change is audited and the user told by e-mail. Returns how many
/// sessions ended.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current_password: &str,
    new_password: &str,
    client: &str,
) -> ServiceResult<u64> {
    if current_password.is_empty() {
        return Err(ServiceError::invalid(
            "current_password",
            "required",
            "Enter your current password.",
        ));
    }
    if current_password.chars().count() > billing_domain::password::MAX_TYPED_CHARS {
        return Err(ServiceError::invalid(
            "current_password",
            "too_long",
            "The password is too long.",
        ));
    }
    check_new_password(new_password, &actor.user.email)
        .map_err(|p| ServiceError::invalid("new_password", p.code(), p.to_string()))?;
    if new_password == current_password {
        return Err(ServiceError::invalid(
            "new_password",
            "same_as_current",
            "Choose a new password, not your current one.",
        ));
    }
    let keys = throttle::Keys::new(&actor.user.email, client);
    let now = state.clock.now();
    throttle::begin(state.store.as_ref(), &keys, now).await?;
    let hash = actor.user.password_hash.clone();
    let (current, new) = (current_password.to_string(), new_password.to_string());
    // The new password is hashed only once the current one is known right.
    let new_hash = tokio::task::spawn_blocking(move || {
        verify_password(&current, &hash).then(|| hash_password(&new))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.into()))?;
    let Some(new_hash) = new_hash else {
        return Err(ServiceError::invalid(
            "current_password",
            "incorrect_password",
            "That is not your current password.",
        ));
    };
    throttle::succeeded(state.store.as_ref(), &keys, now).await?;
    let ended = other_sessions(state, actor).await?;
    let at = state.now_for(&actor.account);
    let forgot = format!("{}/forgot-password", public_url(state));
    let notice = password_changed(&actor.user, PasswordChange::Changed, at, &forgot);
    state
        .store
        .commit(vec![
            Write::SetPassword {
                user_id: actor.user.id.clone(),
                password_hash: new_hash?,
            },
            Write::EndSessions {
                user_id: actor.user.id.clone(),
                except: Some(actor.session_hash.clone()),
            },
            audit(
                &actor.account.id,
                Some(&actor.user.id),
                AuditAction::UserPasswordChanged,
                serde_json::json!({ "sessions_ended": ended }),
                at,
            ),
            to_user(&actor.account.id, &actor.user, &notice, at),
        ])
        .await?;
    tracing::info!(user = %actor.user.id, sessions_ended = ended, "password changed");
    Ok(ended)
}

/// Signs the actor out of every session but this one; how many ended.
pub async fn end_other_sessions(state: &AppState, actor: &Actor) -> ServiceResult<u64> {
    let ended = other_sessions(state, actor).await?;
    state
        .store
        .commit(vec![
            Write::EndSessions {
                user_id: actor.user.id.clone(),
                except: Some(actor.session_hash.clone()),
            },
            audit(
                &actor.account.id,
                Some(&actor.user.id),
                AuditAction::UserSessionsEnded,
                serde_json::json!({ "sessions_ended": ended }),
                state.now_for(&actor.account),
            ),
        ])
        .await?;
    Ok(ended)
}

/// How many live sessions the actor has besides this one.
async fn other_sessions(state: &AppState, actor: &Actor) -> ServiceResult<u64> {
    let now = state.clock.now();
    let idle = state.config.security.session_idle;
    Ok(state
        .store
        .user_sessions(&actor.user.id)
        .await?
        .iter()
        .filter(|s| s.token_hash != actor.session_hash && is_alive(s, now, idle))
        .count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::from_unix;

    #[test]
    fn a_session_ends_at_its_absolute_end_or_when_idle_too_long() {
        let t = |secs: i64| from_unix(1_800_000_000 + secs);
        let session = SessionRecord {
            token_hash: "h".into(),
            user_id: "u".into(),
            created_at: t(0),
            expires_at: t(12 * 3600),
            last_seen_at: t(11 * 3600),
        };
        let idle = Duration::minutes(30);
        assert!(is_alive(&session, t(11 * 3600 + 29 * 60), idle));
        assert!(!is_alive(&session, t(11 * 3600 + 30 * 60), idle));
        let busy = SessionRecord {
            last_seen_at: t(12 * 3600 - 1),
            ..session
        };
        assert!(is_alive(&busy, t(12 * 3600 - 1), idle));
        assert!(!is_alive(&busy, t(12 * 3600), idle));
    }
}
