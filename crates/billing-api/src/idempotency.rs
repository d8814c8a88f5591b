//! Idempotency keys (SPEC §9): every state-changing request carries an
//! `Idempotency-Key`. The first response under a key is stored; a repeat
//! with the same request replays it without a second effect; the same key
//! with a different request is refused. Keys are per user and kept 48 hours.

use crate::error::ApiError;
use crate::extract::SessionRead;
use crate::services::auth;
use crate::state::AppState;
use crate::store::{IdempotencyBegin, StoredResponse};
use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The idempotency scope and key of the request being run.
#[derive(Debug, Clone)]
pub struct RequestKey(pub String);

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// How long keys are kept (at least 24 hours, as promised).
const KEEP_HOURS: i64 = 48;

/// The longest stored response body.
const MAX_BODY: usize = 1024 * 1024;

/// Requests that change nothing a key could protect: signing in and out
/// (the session cookie is the effect), password resets (made signed out,
/// by a link), the test-mode routes, previews, and the vendor API (no
/// session: its one change, a withdrawal decision, is idempotent by itself).
fn exempt(method: &Method, path: &str) -> bool {
    path == "/api/session"
        || path.starts_with("/api/vendor/")
        || path == "/api/password-resets"
        || path.starts_with("/api/password-resets/")
        || path.starts_with("/api/test/")
        || (method == Method::POST && path == "/api/subscription/preview")
}

/// The longest key.
pub const MAX_KEY_LEN: usize = 255;

/// A key's shape (as the OpenAPI document says): 1 to 255 visible ASCII
/// characters, no spaces.
pub const KEY_PATTERN: &str = "^[!-~]{1,255}$";

fn is_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| (b'!'..=b'~').contains(&b))
}

/// Whether a request must carry an `Idempotency-Key` (when signed in).
pub fn requires_key(method: &Method, path: &str) -> bool {
    let changes_state = matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    changes_state && path.starts_with("/api/") && !exempt(method, path)
}

/// Whether the request is one of the document's operations: a method no
/// route takes (a 405) or an unknown path (a 404) is answered as such, not
/// asked for a key. Runs where the router has matched the path.
fn documented(req: &Request) -> bool {
    let (Some(matched), Some(doc)) = (
        req.extensions().get::<MatchedPath>(),
        req.extensions().get::<Arc<serde_json::Value>>(),
    ) else {
        return true;
    };
    let method = req.method().as_str().to_ascii_lowercase();
    doc["paths"][matched.as_str()].get(&method).is_some()
}

/// The middleware.
pub async fn idempotency(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    if !requires_key(&method, &path) || !documented(&req) {
        return next.run(req).await;
    }
    // Unauthenticated requests get their 401 from the handler; keys are per
    // user. The session read here is the request's one read of it.
    let read = read_session(&state, req.headers()).await;
    let user_id = read
        .as_ref()
        .and_then(|r| r.record.as_ref())
        .map(|r| r.session.user_id.clone());
    if let Some(read) = read {
        req.extensions_mut().insert(read);
    }
    let Some(user_id) = user_id else {
        return next.run(req).await;
    };
    let Some(key) = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| is_key(k))
        .map(str::to_string)
    else {
        return ApiError::MissingIdempotencyKey.into_response();
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, crate::config::BODY_LIMIT).await else {
        return ApiError::PayloadTooLarge.into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update([0]);
    hasher.update(parts.uri.to_string());
    hasher.update([0]);
    for name in ["if-match", "content-type"] {
        if let Some(v) = parts.headers.get(name) {
            hasher.update(v.as_bytes());
        }
        hasher.update([0]);
    }
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    let now = state.clock.now();
    let begun = state
        .store
        .idempotency_begin(
            &user_id,
            &key,
            &hash,
            now,
            now - Duration::hours(KEEP_HOURS),
        )
        .await;
    match begun {
        Err(e) => ApiError::from(e).into_response(),
        Ok(IdempotencyBegin::Mismatch) => ApiError::IdempotencyKeyReused.into_response(),
        Ok(IdempotencyBegin::InProgress) => ApiError::IdempotencyInProgress.into_response(),
        Ok(IdempotencyBegin::Replay(stored)) => replay(stored),
        Ok(IdempotencyBegin::New) => {
            let mut parts = parts;
            // The use case may tie what it creates to this key, so a retry finds it.
            parts
                .extensions
                .insert(RequestKey(format!("{user_id}:{key}")));
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let (mut parts, body) = response.into_parts();
            let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
                let _ = state.store.idempotency_abandon(&user_id, &key).await;
                return ApiError::Internal(anyhow::anyhow!("response too large to store"))
                    .into_response();
            };
            if parts.extensions.get::<crate::error::ChargeMade>().is_some() {
                // A card was charged: the key is never released, but the same
                // request may run again to finish what it started.
                let _ = state.store.idempotency_park(&user_id, &key).await;
            } else if parts.status.is_server_error() {
                // Our failure changed nothing: let the client retry under the same key.
                let _ = state.store.idempotency_abandon(&user_id, &key).await;
            } else {
                let stored = StoredResponse {
                    status: parts.status.as_u16(),
                    content_type: header_text(&parts.headers, CONTENT_TYPE.as_str()),
                    etag: header_text(&parts.headers, ETAG.as_str()),
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                };
                if let Err(e) = state
                    .store
                    .idempotency_finish(&user_id, &key, &stored)
                    .await
                {
                    tracing::error!(error = %e, "storing an idempotent response");
                }
            }
            parts.headers.remove("idempotent-replayed");
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

fn header_text(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn replay(stored: StoredResponse) -> Response {
    let status =
        axum::http::StatusCode::from_u16(stored.status).unwrap_or(axum::http::StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.remove(CONTENT_TYPE);
    if let Some(ct) = stored
        .content_type
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(CONTENT_TYPE, ct);
    }
    if let Some(etag) = stored.etag.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert(ETAG, etag);
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// The session the cookie names, read once for the whole request; `None`
/// without a cookie or when the read fails (the handler then reads again,
/// and reports the failure).
async fn read_session(state: &AppState, headers: &axum::http::HeaderMap) -> Option<SessionRead> {
    let token = crate::cookies::session_token(headers)?;
    let hash = crate::services::password::hash_token(&token);
    let record = auth::read_session(state, &hash).await.ok()?;
    Some(SessionRead { hash, record })
}
