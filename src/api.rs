//! The only code that speaks HTTP: one async function per API endpoint, each
//! answering `Result<T, ApiError>`.
//!
//! Requests go to the same origin (relative `/api/...` URLs) with the session
//! cookie. Every state-changing request carries a fresh `Idempotency-Key`.
//! A 401 on any call made with a session tells the [`on_unauthorized`] hook, so
//! the app can send the user to sign in wherever the call was made.

pub mod audit;
pub mod cancel;
pub mod documents;
mod error;
pub mod members;
pub mod security;
pub mod subscription;

pub use error::ApiError;

use billing_domain::wire::{
    AttachPaymentMethodRequest, BillingContacts, BillingOverview, CardToken, CardTokenRequest,
    CatalogView, EmailList, Health, Invoice, InvoiceList, PaymentMethodResult, SessionInfo,
    SignInRequest,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
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
    answer(request, Auth::SigningIn).await?.json()
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

/// `GET /api/catalog`: the plans with the intervals and prices each is sold
/// at and whether it is self-serve, the add-ons, the pause price and the
/// refund window. Public: it needs no session.
pub async fn get_catalog() -> Result<CatalogView, ApiError> {
    get_json("/api/catalog").await
}

/// `GET /api/account/billing-contacts`: the owner and admins, for users who
/// cannot see billing themselves.
pub async fn billing_contacts() -> Result<BillingContacts, ApiError> {
    get_json("/api/account/billing-contacts").await
}

/// `GET /api/invoices`: a page of at most `limit` invoices, newest first,
/// after the invoice `starting_after` (the last id of the previous page).
pub async fn invoices(limit: u32, starting_after: Option<&str>) -> Result<InvoiceList, ApiError> {
    let mut path = format!("/api/invoices?limit={limit}");
    if let Some(id) = starting_after {
        path.push_str("&starting_after=");
        path.push_str(&encode(id));
    }
    get_json(&path).await
}

/// `GET /api/invoices/{id}`: one invoice with its lines; 404 when the id is
/// not one of the account's invoices.
pub async fn invoice(id: &str) -> Result<Invoice, ApiError> {
    get_json(&format!("/api/invoices/{}", encode(id))).await
}

/// Where `GET /api/invoices/{id}/pdf` downloads the invoice as a PDF. The
/// browser fetches it itself (a plain link), so the download is a real one.
pub fn invoice_pdf_href(id: &str) -> String {
    format!("/api/invoices/{}/pdf", encode(id))
}

/// `POST /api/gateway/tokens`: hands the card details to the (simulated)
/// payment gateway, which answers a token. Invalid details are a 400 whose
/// `param` names the field (`number`, `exp_month`, `exp_year`, `cvc`).
pub async fn create_card_token(card: &CardTokenRequest) -> Result<CardToken, ApiError> {
    post_json("/api/gateway/tokens", card).await
}

/// `POST /api/payment-methods`: makes the tokenized card the default and
/// retries every open invoice with it. A decline is a 402 `card_error` and
/// changes nothing.
pub async fn attach_payment_method(
    request: &AttachPaymentMethodRequest,
) -> Result<PaymentMethodResult, ApiError> {
    post_json("/api/payment-methods", request).await
}

/// `GET /api/dev/mailbox`: the e-mails sent to the account, newest first.
/// Only dev and test servers have it; production answers 404.
pub async fn dev_mailbox() -> Result<EmailList, ApiError> {
    get_json("/api/dev/mailbox").await
}

/// `GET /api/health`: whether the server is up, and its mode.
pub async fn health() -> Result<Health, ApiError> {
    get_json("/api/health").await
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
    answer(request, Auth::Session).await?.json()
}

async fn post_json<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let request = mutating(Request::post(path)).json(body);
    answer(request, Auth::Session).await?.json()
}

/// A path segment or query value, percent-encoded.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value)
        .as_string()
        .unwrap_or_default()
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

/// A successful answer: its status and the whole body, as text.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    /// The body decoded as `T`; anything else is an unexpected answer.
    fn json<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        serde_json::from_str(&self.body).map_err(|e| ApiError::unexpected(self.status, e))
    }
}

/// Sends the request and reads a successful answer's body. Not generic, so
/// the wasm holds this future once rather than once per answer type: only
/// the decoding ([`Answer::json`]) is made per type.
async fn answer(request: Result<Request, gloo_net::Error>, auth: Auth) -> Result<Answer, ApiError> {
    let response = send(request, auth).await?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| ApiError::unexpected(status, e))?;
    Ok(Answer { status, body })
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
