//! Leaving and staying (SPEC §5–§6): the cancel wizard's endpoints, pause
//! and resume, refunds and balance withdrawals. One function per endpoint,
//! each answering `Result<T, ApiError>`; every state change carries a fresh
//! `Idempotency-Key` (DELETE too).

use super::{answer, encode, get_json, mutating, post_json, send, ApiError, Auth};
use billing_domain::refund::RefundQuote;
use billing_domain::wire::{
    AcceptOfferRequest, BillingOverview, CancelFlowView, CancelRequest, CancelSession,
    ChooseReasonRequest, OfferOutcome, RefundRequest, RefundResult, WizardStepRequest,
};
use gloo_net::http::Request;

/// The start of the API's 403 message once a cancellation has taken effect
/// and the caller is not the owner. The API gives this refusal the same code
/// as any other missing permission (`permission_denied`), so the sentence is
/// what tells the two apart.
const SUBSCRIPTION_ENDED: &str = "The subscription has ended.";

/// Whether `error` is the API saying the subscription has ended and only the
/// owner may see billing now (rather than a missing grant).
pub fn is_subscription_ended(error: &ApiError) -> bool {
    error.is_forbidden() && error.message.starts_with(SUBSCRIPTION_ENDED)
}

/// `GET /api/cancel-flow`: the reasons, the dated consequences, the pause
/// price and the policies; 403 without `account:cancel`.
pub async fn cancel_flow() -> Result<CancelFlowView, ApiError> {
    get_json("/api/cancel-flow").await
}

/// `POST /api/cancel-flow/sessions` (201): records the start of a run of
/// the wizard, for save-rate reporting.
pub async fn start_cancel_session() -> Result<CancelSession, ApiError> {
    let request = mutating(Request::post("/api/cancel-flow/sessions")).build();
    answer(request, Auth::Session).await?.json()
}

/// `PATCH /api/cancel-flow/sessions/{id}`: records the reason and answers
/// the offers for it. A 400 names `reason` (unknown) or `text` (the reason
/// asks for a few words); 409 once the run is finished.
pub async fn choose_cancel_reason(
    session_id: &str,
    body: &ChooseReasonRequest,
) -> Result<CancelSession, ApiError> {
    let path = format!("/api/cancel-flow/sessions/{}", encode(session_id));
    let request = mutating(Request::patch(&path)).json(body);
    answer(request, Auth::Session).await?.json()
}

/// `POST /api/cancel-flow/sessions/{id}/accept`: applies an offer shown in
/// this run and ends the wizard; 409 when the run is already finished.
pub async fn accept_cancel_offer(
    session_id: &str,
    body: &AcceptOfferRequest,
) -> Result<OfferOutcome, ApiError> {
    let path = format!("/api/cancel-flow/sessions/{}/accept", encode(session_id));
    post_json(&path, body).await
}

/// `POST /api/cancel-flow/meeting-requests` (202): asks the Customer
/// Success Manager for a meeting (how contract plans are cancelled).
pub async fn request_meeting(body: &WizardStepRequest) -> Result<(), ApiError> {
    post_no_content("/api/cancel-flow/meeting-requests", body).await
}

/// `POST /api/subscription/cancel`: cancels after `CONFIRM` and every
/// consequence acknowledged. A 400 names `confirmation` or `acknowledged`
/// and changes nothing; 409 `contract_plan` on contract plans.
pub async fn cancel_subscription(body: &CancelRequest) -> Result<BillingOverview, ApiError> {
    post_json("/api/subscription/cancel", body).await
}

/// `DELETE /api/subscription/cancel`: withdraws a scheduled cancellation
/// ("Resume subscription").
pub async fn resume_cancellation() -> Result<BillingOverview, ApiError> {
    let request = mutating(Request::delete("/api/subscription/cancel")).build();
    answer(request, Auth::Session).await?.json()
}

/// `POST /api/subscription/pause`: pauses at the pause price instead of
/// cancelling.
pub async fn pause_subscription(body: &WizardStepRequest) -> Result<BillingOverview, ApiError> {
    post_json("/api/subscription/pause", body).await
}

/// `POST /api/subscription/resume`: resumes a paused subscription. After a
/// pause period this charges a new period; a decline is a 402 and the
/// subscription stays paused.
pub async fn resume_subscription() -> Result<BillingOverview, ApiError> {
    let request = mutating(Request::post("/api/subscription/resume")).build();
    answer(request, Auth::Session).await?.json()
}

/// `GET /api/refunds`: what ending the subscription now would refund, with
/// the computation; owner only (`account:refund`), 409 `nothing_to_refund`.
pub async fn refund_quote() -> Result<RefundQuote, ApiError> {
    get_json("/api/refunds").await
}

/// `POST /api/refunds`: ends the subscription now and refunds what the quote
/// said (to the card in full, or the unused rest to the credit balance).
pub async fn request_refund(body: &RefundRequest) -> Result<RefundResult, ApiError> {
    post_json("/api/refunds", body).await
}

/// `POST /api/balance/withdrawals` (202): asks the billing team to pay out
/// the credit balance; owner only, 409 `no_balance`.
pub async fn withdraw_balance(body: &WizardStepRequest) -> Result<(), ApiError> {
    post_no_content("/api/balance/withdrawals", body).await
}

/// A state-changing POST whose success has no body (202 Accepted).
async fn post_no_content<B: serde::Serialize>(path: &str, body: &B) -> Result<(), ApiError> {
    let request = mutating(Request::post(path)).json(body);
    send(request, Auth::Session).await.map(drop)
}
