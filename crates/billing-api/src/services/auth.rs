//! Passwords (argon2), session tokens and the session cookie.

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{SessionRecord, UserRecord};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::http::{header::COOKIE, HeaderMap};
use chrono::Duration;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "portal_session";

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Hashes a test account's password with argon2id at the lowest cost: its
/// accounts exist only in test mode, where thousands are made per run and
/// the password is handed back in the response anyway. Verification reads
/// the cost from the hash, so sign-in works the same.
pub fn hash_test_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let params = argon2::Params::new(256, 1, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Whether `password` matches a stored argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody has, verified when the e-mail is unknown so
/// that a wrong e-mail and a wrong password take the same time.
static DECOY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Checks an e-mail and password; the same error for either being wrong.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<UserRecord, ApiError> {
    let user = state.store.user_by_email(email).await?;
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => DECOY_HASH
            .get_or_init(|| hash_password("decoy password, never issued").unwrap_or_default())
            .clone(),
    };
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    match user {
        // A deleted account's users are inactive; the caller says why.
        Some(u) if ok && (u.active || is_deleted(state, &u).await?) => Ok(u),
        _ => Err(ApiError::InvalidCredentials),
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
        expires_at: now + Duration::hours(SESSION_HOURS),
    };
    (token, record)
}

/// SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session token from the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that stores a session (HttpOnly, SameSite=Strict;
/// Secure outside dev and test, which run on plain http://localhost).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = SESSION_HOURS * 3600;
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    )
}

/// The `Set-Cookie` value that clears the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

async fn is_deleted(state: &AppState, user: &UserRecord) -> Result<bool, ApiError> {
    Ok(state
        .store
        .account(&user.account_id)
        .await?
        .is_some_and(|a| a.deleted_at.is_some()))
}
