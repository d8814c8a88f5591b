//! Request extractors: a JSON body and query that fail in the API's own
//! error format, naming the field at fault, and the signed-in [`Actor`].

use crate::cookies::session_token;
use crate::error::ApiError;
use crate::services::actor::Actor;
use crate::services::auth;
use crate::state::AppState;
use crate::store::SessionActorRecord;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// A JSON request body. Malformed JSON, unknown or missing fields and values
/// of the wrong type or range are 400s whose `param` names the field.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest {
                    code: "unreadable_body",
                    message: "The request body could not be read.".into(),
                    param: None,
                }
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Query parameters, refused in the API's error format naming the parameter.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let text = err.into_inner().to_string();
                let named = text.split('`').nth(1).map(str::to_string);
                let param = if path == "." || path.is_empty() {
                    named.unwrap_or_default()
                } else {
                    path
                };
                let message = format!("Query parameter `{param}`: {text}.");
                ApiError::invalid(param, "invalid_query", message)
            })
    }
}

/// Deserializes a body, turning serde's error into a 400 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let text = inner.to_string();
        // serde reports unknown and missing fields at the parent's path with
        // the field's name in backticks.
        let named = text.split('`').nth(1).map(str::to_string);
        let join = |field: String| {
            if path == "." || path.is_empty() {
                field
            } else {
                format!("{path}.{field}")
            }
        };
        let message = text.split(" at line").next().unwrap_or(&text).to_string();
        // serde_json reports a number where an enum's name belongs as a
        // syntax error; well-formed JSON with a wrong value names the field.
        let well_formed = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        if (inner.is_syntax() || inner.is_eof()) && !(well_formed && path != ".") {
            ApiError::BadRequest {
                code: "malformed_json",
                message: format!("The body is not valid JSON: {message}."),
                param: None,
            }
        } else if text.starts_with("unknown field") {
            // Here the path already ends with the unknown field's name.
            let field = if path == "." {
                named.unwrap_or(path)
            } else {
                path
            };
            ApiError::invalid(
                field.clone(),
                "unknown_field",
                format!("Unknown field `{field}`."),
            )
        } else if text.starts_with("missing field") {
            let field = named.map(join).unwrap_or(path);
            ApiError::invalid(
                field.clone(),
                "missing_field",
                format!("`{field}` is required."),
            )
        } else if path == "." {
            ApiError::BadRequest {
                code: "invalid_body",
                message: format!("The body must be a JSON object: {message}."),
                param: None,
            }
        } else {
            ApiError::invalid(
                path.clone(),
                "invalid_value",
                format!("`{path}`: {message}."),
            )
        }
    })
}

/// The session a request's cookie names, as it was read for this request:
/// the idempotency middleware reads it first (a key is scoped by the user),
/// and the [`Actor`] extractor then judges that read instead of making
/// another.
#[derive(Debug, Clone)]
pub struct SessionRead {
    /// The hash of the cookie's token.
    pub hash: String,
    /// What the store holds under it.
    pub record: Option<SessionActorRecord>,
}

/// The address of the client, for sign-in throttling: the connection's
/// peer, or (with `BILLING_TRUST_FORWARDED_FOR`) the last hop of
/// `X-Forwarded-For`, which the reverse proxy in front appends. The header
/// is ignored otherwise: anyone can send one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let forwarded = state
            .config
            .security
            .trust_forwarded_for
            .then(|| last_forwarded_hop(&parts.headers))
            .flatten();
        Ok(ClientAddr(
            forwarded.or(peer).unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// The last address of the last `X-Forwarded-For` header, if it is one.
fn last_forwarded_hop(headers: &axum::http::HeaderMap) -> Option<String> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let hop = last.to_str().ok()?.rsplit(',').next()?.trim();
    hop.parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}

/// The signed-in user as the actor of a use case, read from the session
/// cookie at this very request (once: a [`SessionRead`] of this request is
/// used when there is one).
impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let hash = crate::services::password::hash_token(&token);
        let record = match parts.extensions.get::<SessionRead>() {
            Some(read) if read.hash == hash => read.record.clone(),
            _ => auth::read_session(state, &hash).await?,
        };
        Ok(auth::admit(state, hash, record).await?)
    }
}

/// The session cookie's token, for a use case that reads the session
/// together with what it shows (401 without one).
#[derive(Debug, Clone)]
pub struct SessionToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        session_token(&parts.headers)
            .map(SessionToken)
            .ok_or(ApiError::Unauthenticated)
    }
}

/// The vendor's back office, by the bearer key of `Authorization` (never
/// a session cookie): 404 when no key is configured, 401 for a wrong or
/// missing one.
impl FromRequestParts<AppState> for crate::services::vendor::Vendor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        Ok(crate::services::vendor::authenticate(
            state.config.vendor_api_key.as_deref(),
            presented,
        )?)
    }
}
