//! The only code that speaks HTTP: one async function per API endpoint, each
//! answering `Result<T, ApiError>`.
//!
//! Requests go to the same origin (relative `/api/...` URLs) with the session
//! cookie. Every state-changing request carries a fresh `Idempotency-Key`.
//! A 401 on any call made with a session tells the [`on_unauthorized`] hook, so
//! the app can send the user to sign in wherever the call was made.

mod error;

pub use error::ApiError;

use billing_domain::wire::{BillingContacts, BillingOverview, SessionInfo, SignInRequest};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::RequestCredentials;

/// `POST /api/session`: signs in and sets the session cookie.
///
/// Wrong credentials are a 401 `invalid_credentials`; that 401 is an answer
/// to show on the form, not a lost session, so it does not reach the hook.
pub async fn sign_in(credentials: &SignInRequest) -> Result<SessionInfo, ApiError> {
    let request = mutating(Request::post("/api/session")).json(credentials);
    let response = send(request, Auth::SigningIn).await?;
    read_json(response).await
}

/// `GET /api/session`: who is signed in; 401 when nobody is.
pub async fn current_session() -> Result<SessionInfo, ApiError> {
    get_json("/api/session").await
}

/// `DELETE /api/session`: signs out (204).
pub async fn sign_out() -> Result<(), ApiError> {
    let request = mutating(Request::delete("/api/session")).build();
    send(request, Auth::Session).await.map(drop)
}

/// `GET /api/billing/overview`: plan, seats, next charge, payment method and
/// credit; 403 without `billing:read`.
pub async fn billing_overview() -> Result<BillingOverview, ApiError> {
    get_json("/api/billing/overview").await
}

/// `GET /api/account/billing-contacts`: the owner and admins, for users who
/// cannot see billing themselves.
pub async fn billing_contacts() -> Result<BillingContacts, ApiError> {
    get_json("/api/account/billing-contacts").await
}

type Hook = Rc<dyn Fn()>;

thread_local! {
    static UNAUTHORIZED_HOOK: RefCell<Option<Hook>> = const { RefCell::new(None) };
}

/// Registers what happens when a call made with a session answers 401
/// (the session expired or was revoked). Replaces any earlier hook.
pub fn on_unauthorized(hook: impl Fn() + 'static) {
    UNAUTHORIZED_HOOK.with(|slot| *slot.borrow_mut() = Some(Rc::new(hook)));
}

fn notify_unauthorized() {
    // Cloned out first so the hook may itself register a new hook.
    let hook = UNAUTHORIZED_HOOK.with(|slot| slot.borrow().clone());
    if let Some(hook) = hook {
        hook();
    }
}

/// Whether a 401 means the session is gone.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// The call relies on the session cookie.
    Session,
    /// The call is the sign-in itself.
    SigningIn,
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let request = common(Request::get(path)).build();
    let response = send(request, Auth::Session).await?;
    read_json(response).await
}

fn common(builder: RequestBuilder) -> RequestBuilder {
    // Same-origin requests carry the session cookie; nothing is ever sent
    // with credentials to another origin.
    builder
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
}

fn mutating(builder: RequestBuilder) -> RequestBuilder {
    common(builder).header("Idempotency-Key", &idempotency_key())
}

async fn send(request: Result<Request, gloo_net::Error>, auth: Auth) -> Result<Response, ApiError> {
    let response = request
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let error = ApiError::from_body(status, &body);
    if error.is_unauthorized() && auth == Auth::Session {
        notify_unauthorized();
    }
    Err(error)
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::unexpected(status, e))
}

/// A fresh random key: `crypto.randomUUID()` where the browser offers it
/// (secure contexts), otherwise 128 bits from `Math.random`, which is enough
/// for uniqueness; the key is not a secret.
fn idempotency_key() -> String {
    random_uuid().unwrap_or_else(|| {
        (0..4)
            .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32))
            .collect()
    })
}

fn random_uuid() -> Option<String> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let random_uuid = js_sys::Reflect::get(&crypto, &"randomUUID".into()).ok()?;
    random_uuid
        .dyn_ref::<js_sys::Function>()?
        .call0(&crypto)
        .ok()?
        .as_string()
}
