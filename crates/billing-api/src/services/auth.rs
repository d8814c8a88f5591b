//! Signing in and out: checking passwords, session tokens, and the actor a
//! session stands for (the hashing is in `password`).

use crate::services::actor::Actor;
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::password::{hash_token, verify_password};
use crate::services::throttle;
use crate::state::AppState;
use crate::store::{AccountRecord, SessionActorRecord, SessionRecord, UserRecord};
use billing_domain::permissions::{effective_access, permissions_for};
use billing_domain::wire::{AccountSummary, SessionInfo, UserSummary};
use rand::RngCore;

/// How long a session lasts by default (`BILLING_SESSION_MAX_HOURS`).
pub const SESSION_HOURS: i64 = 12;

/// Checks an e-mail and password; the same error for either being wrong.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<UserRecord, ServiceError> {
    let user = state.store.user_by_email(email).await?;
    // An unknown e-mail, or a user erased with their account's data (no
    // hash kept), takes as long as a known one.
    let hash = match &user {
        Some(u) if !u.password_hash.is_empty() => u.password_hash.clone(),
        _ => crate::services::password::decoy_hash(state.config.mode).to_string(),
    };
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ServiceError::Internal(e.into()))?;
    match user {
        // A deleted account's users are inactive; the caller says why.
        Some(u) if ok && (u.active || is_deleted(state, &u).await?) => Ok(u),
        // Only the hash of the address is left: the account's deletion is
        // all there is to say.
        Some(u) if u.password_hash.is_empty() && is_deleted(state, &u).await? => Ok(u),
        _ => Err(ServiceError::InvalidCredentials),
    }
}

/// A new random session token (hex) and its stored record.
pub fn new_session(state: &AppState, user: &UserRecord) -> (String, SessionRecord) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = state.clock.now();
    let record = SessionRecord {
        token_hash: hash_token(&token),
        user_id: user.id.clone(),
        created_at: now,
        expires_at: now + state.config.security.session_lifetime,
        last_seen_at: now,
    };
    (token, record)
}

async fn is_deleted(state: &AppState, user: &UserRecord) -> Result<bool, ServiceError> {
    Ok(state
        .store
        .account(&user.account_id)
        .await?
        .is_some_and(|a| a.deleted_at.is_some()))
}

/// Checks the sign-in form, then (unless `client` has tried too often)
/// the credentials, and opens a session: the new session's token (for the
/// cookie), the user and the account. `client` is the caller's address.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: &str,
) -> ServiceResult<(String, UserRecord, AccountRecord)> {
    let email = billing_domain::email::parse(email)
        .map_err(|p| ServiceError::invalid("email", p.code(), p.to_string()))?;
    if password.is_empty() {
        return Err(ServiceError::invalid(
            "password",
            "required",
            "Enter your password.",
        ));
    }
    if password.chars().count() > billing_domain::password::MAX_TYPED_CHARS {
        return Err(ServiceError::invalid(
            "password",
            "too_long",
            "The password is too long.",
        ));
    }
    let keys = throttle::Keys::new(email, client);
    let now = state.clock.now();
    throttle::begin(state.store.as_ref(), &keys, now).await?;
    let user = authenticate(state, email, password).await?;
    throttle::succeeded(state.store.as_ref(), &keys, now).await?;
    let account = state
        .store
        .account(&user.account_id)
        .await?
        .ok_or(ServiceError::InvalidCredentials)?;
    if let Some(deleted) = account.deleted_at {
        return Err(ServiceError::AccountDeleted(crate::mail::templates::date(
            deleted,
        )));
    }
    let (token, record) = new_session(state, &user);
    state.store.insert_session(&record).await?;
    tracing::info!(user = %user.id, account = %account.id, "signed in");
    Ok((token, user, account))
}

/// Ends the actor's session.
pub async fn sign_out(state: &AppState, actor: &Actor) -> ServiceResult<()> {
    state.store.delete_session(&actor.session_hash).await?;
    Ok(())
}

/// The actor a session token stands for, read afresh: a change of role or
/// grant takes effect on the very next request.
pub async fn actor(state: &AppState, token: &str) -> ServiceResult<Actor> {
    let hash = hash_token(token);
    let record = read_session(state, &hash).await?;
    admit(state, hash, record).await
}

/// The session with token hash `hash` and whom it signs in, in one query.
pub async fn read_session(
    state: &AppState,
    hash: &str,
) -> ServiceResult<Option<SessionActorRecord>> {
    Ok(state.store.session_actor(hash).await?)
}

/// The actor of the session read as `record` under the token hash `hash`:
/// none for a missing session; an expired one is deleted; none for an
/// inactive user or a deleted account. Permissions are derived here, from
/// what was just read.
pub async fn admit(
    state: &AppState,
    hash: String,
    record: Option<SessionActorRecord>,
) -> ServiceResult<Actor> {
    let record = record.ok_or(ServiceError::Unauthenticated)?;
    // Idle and absolute lifetimes: an ended session is deleted.
    crate::services::sessions::keep_alive(state, &record.session).await?;
    let user = record
        .user
        .filter(|u| u.active)
        .ok_or(ServiceError::Unauthenticated)?;
    let account = record
        .account
        .filter(|a| a.deleted_at.is_none())
        .ok_or(ServiceError::Unauthenticated)?;
    let permissions = permissions_for(user.role, user.billing_access, account.policy);
    Ok(Actor {
        user,
        account,
        permissions,
        session_hash: hash,
        status: record.status,
    })
}

/// What the SPA is told of who is signed in.
pub fn session_info(user: &UserRecord, account: &AccountRecord) -> SessionInfo {
    SessionInfo {
        user: UserSummary {
            id: user.id.clone(),
            name: user.name.clone(),
            email: user.email.clone(),
        },
        account: AccountSummary {
            id: account.id.clone(),
            name: account.name.clone(),
        },
        role: user.role,
        billing_access: effective_access(user.role, user.billing_access),
        permissions: permissions_for(user.role, user.billing_access, account.policy).to_vec(),
    }
}
