//! Password reset by e-mail (SPEC §14): a single-use link that expires,
//! its token stored only as a hash. Asking for one answers the same for any
//! address, at once: whether the address has an account is decided after
//! the answer, so neither the answer nor its timing says.

use crate::mail::templates::{password_changed, password_reset, PasswordChange};
use crate::mail::to_user;
use crate::services::audit::audit;
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::password::{hash_password, hash_token, verify_password};
use crate::services::throttle::{self, Policy};
use crate::state::AppState;
use crate::store::{PasswordResetRecord, StoreError, Write};
use billing_domain::audit::AuditAction;
use billing_domain::password::{check_length, check_new_password};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;

/// How long a reset link works.
pub const VALID_MINUTES: i64 = 60;

/// Reset e-mails per address: three at once, then one a minute, doubling
/// up to one an hour; more requests are answered the same but send nothing.
pub const PER_ADDRESS: Policy = Policy {
    free_attempts: 3,
    first_wait_secs: 60,
    max_wait_secs: 3600,
};

/// Checks the address and, later and out of the caller's sight, e-mails a
/// reset link if an active user has it.
pub fn request(state: &AppState, email: &str) -> ServiceResult<()> {
    let email = billing_domain::email::parse(email)
        .map_err(|p| ServiceError::invalid("email", p.code(), p.to_string()))?
        .to_lowercase();
    let state = state.clone();
    // Detached on purpose: the caller's answer must not wait for the lookup.
    tokio::spawn(async move {
        if let Err(e) = send_link(&state, &email).await {
            tracing::error!(error = ?e, "sending a password reset link");
        }
    });
    Ok(())
}

/// The token of a new link, and the link's record.
fn new_link(user_id: &str, now: DateTime<Utc>) -> (String, PasswordResetRecord) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let record = PasswordResetRecord {
        token_hash: hash_token(&token),
        user_id: user_id.into(),
        created_at: now,
        expires_at: now + Duration::minutes(VALID_MINUTES),
        used_at: None,
    };
    (token, record)
}

async fn send_link(state: &AppState, email: &str) -> ServiceResult<()> {
    let now = state.clock.now();
    let key = throttle::reset_key(email);
    match throttle::take(state.store.as_ref(), &key, now, &PER_ADDRESS).await {
        Err(ServiceError::Throttled { .. }) => return Ok(()),
        other => other?,
    }
    let Some(user) = state.store.user_by_email(email).await?.filter(|u| u.active) else {
        return Ok(());
    };
    let Some(account) = state
        .store
        .account(&user.account_id)
        .await?
        .filter(|a| a.deleted_at.is_none())
    else {
        return Ok(());
    };
    let (token, record) = new_link(&user.id, now);
    let link = format!("{}/reset-password/{token}", public_url(state));
    let draft = password_reset(&user, &link, VALID_MINUTES);
    state
        .store
        .commit(vec![
            Write::InsertPasswordReset(record),
            to_user(&account.id, &user, &draft, state.now_for(&account)),
        ])
        .await?;
    tracing::info!(user = %user.id, "password reset link sent");
    Ok(())
}

/// Where users reach the portal (for links in e-mails).
pub fn public_url(state: &AppState) -> String {
    state.config.public_url.clone().unwrap_or_default()
}

fn invalid_link() -> ServiceError {
    ServiceError::invalid(
        "token",
        "invalid_reset_link",
        "This link has expired or was already used. Ask for a new one.",
    )
}

/// The link's record, if the token names one that still works at `now`.
async fn usable(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> ServiceResult<PasswordResetRecord> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid_link());
    }
    state
        .store
        .password_reset(&hash_token(token))
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > now)
        .ok_or_else(invalid_link)
}

/// Until when the link works, if it still does.
pub async fn check(state: &AppState, token: &str) -> ServiceResult<DateTime<Utc>> {
    Ok(usable(state, token, state.clock.now()).await?.expires_at)
}

/// Sets a new password from a link: it must meet the rules and not be the
/// current one. The link is used up, every session of the user ends, the
/// change is audited and the user told by e-mail. `client` (the caller's
/// address) counts as known for the user's sign-ins from now on.
pub async fn complete(
    state: &AppState,
    token: &str,
    new_password: &str,
    client: &str,
) -> ServiceResult<()> {
    // The body's shape first, as its schema says; then the link.
    check_length(new_password)
        .map_err(|p| ServiceError::invalid("new_password", p.code(), p.to_string()))?;
    let now = state.clock.now();
    let link = usable(state, token, now).await?;
    let user = state
        .store
        .user(&link.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid_link)?;
    let account = state
        .store
        .account(&user.account_id)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(invalid_link)?;
    check_new_password(new_password, &user.email)
        .map_err(|p| ServiceError::invalid("new_password", p.code(), p.to_string()))?;
    let (new, old_hash) = (new_password.to_string(), user.password_hash.clone());
    let new_hash = tokio::task::spawn_blocking(move || {
        (!verify_password(&new, &old_hash)).then(|| hash_password(&new))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.into()))?
    .ok_or_else(|| {
        ServiceError::invalid(
            "new_password",
            "same_as_current",
            "Choose a new password, not your current one.",
        )
    })??;
    let at = state.now_for(&account);
    let forgot = format!("{}/forgot-password", public_url(state));
    let notice = password_changed(&user, PasswordChange::Reset, at, &forgot);
    let committed = state
        .store
        .commit(vec![
            // First: a link used meanwhile fails the whole batch.
            Write::UsePasswordReset {
                token_hash: link.token_hash.clone(),
                at: now,
            },
            Write::SetPassword {
                user_id: user.id.clone(),
                password_hash: new_hash,
            },
            Write::DeletePasswordResets {
                user_id: user.id.clone(),
            },
            Write::EndSessions {
                user_id: user.id.clone(),
                except: None,
            },
            audit(
                &account.id,
                Some(&user.id),
                AuditAction::UserPasswordReset,
                serde_json::json!({}),
                at,
            ),
            to_user(&account.id, &user, &notice, at),
        ])
        .await;
    match committed {
        Err(StoreError::AlreadyDone(_)) => return Err(invalid_link()),
        other => other?,
    }
    // Whoever holds the link owns the address: their waits end here.
    throttle::succeeded(
        state.store.as_ref(),
        &throttle::Keys::new(&user.email, client),
        now,
    )
    .await?;
    tracing::info!(user = %user.id, "password reset");
    Ok(())
}
