//! The cancel wizard, pause and resume, refunds, withdrawals and usage.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services::actor::Actor;
use crate::services::{cancel, ledger};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use billing_domain::refund::RefundQuote;
use billing_domain::wire::{
    AcceptOfferRequest, BillingOverview, CancelFlowView, CancelRequest, CancelSession,
    ChooseReasonRequest, ErrorBody, Ledger, OfferOutcome, RefundRequest, RefundResult,
    UsageRequest, Withdrawal, WithdrawalList, WizardStepRequest,
};
use billing_domain::Permission;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/cancel-flow/*`, `/api/subscription/{cancel,…}`, `/api/refunds`, `/api/usage`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_cancel_flow))
        .routes(routes!(create_cancel_session))
        .routes(routes!(choose_cancel_reason))
        .routes(routes!(accept_cancel_offer))
        .routes(routes!(create_meeting_request))
        .routes(routes!(cancel_subscription))
        .routes(routes!(resume_cancelled_subscription))
        .routes(routes!(pause_subscription))
        .routes(routes!(resume_subscription))
        .routes(routes!(get_refund_quote, create_refund))
        .routes(routes!(create_balance_withdrawal, list_balance_withdrawals))
        .routes(routes!(get_ledger))
        .routes(routes!(record_usage))
}

/// Reasons, consequences with dates, the pause price and policies.
#[utoipa::path(get, path = "/api/cancel-flow", tag = "cancel",
    responses(
        (status = 200, description = "The wizard's content", body = CancelFlowView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No account:cancel permission", body = ErrorBody),
    ))]
pub async fn get_cancel_flow(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<Json<CancelFlowView>> {
    Ok(Json(cancel::flow_view(&state, &current).await?))
}

/// Starts a run of the wizard (counted in the save-rate report).
#[utoipa::path(post, path = "/api/cancel-flow/sessions", tag = "cancel",
    responses(
        (status = 201, description = "The run", body = CancelSession),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No account:cancel permission", body = ErrorBody),
    ))]
pub async fn create_cancel_session(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<(StatusCode, Json<CancelSession>)> {
    Ok((
        StatusCode::CREATED,
        Json(cancel::start_session(&state, &current).await?),
    ))
}

/// Records the reason; answers with the offers for it.
#[utoipa::path(patch, path = "/api/cancel-flow/sessions/{id}", tag = "cancel",
    params(("id" = String, Path, description = "The wizard run")),
    request_body = ChooseReasonRequest,
    responses(
        (status = 200, description = "The run with its offers", body = CancelSession),
        (status = 400, description = "Unknown reason or missing text", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No account:cancel permission", body = ErrorBody),
        (status = 404, description = "No such run in this account", body = ErrorBody),
        (status = 409, description = "The run is finished", body = ErrorBody),
    ))]
pub async fn choose_cancel_reason(
    State(state): State<AppState>,
    current: Actor,
    Path(id): Path<String>,
    body: Result<ApiJson<ChooseReasonRequest>, ApiError>,
) -> ApiResult<Json<CancelSession>> {
    current.require(Permission::AccountCancel)?;
    // Permission first: a caller without it learns nothing from body errors.
    cancel::ensure_session(&state, &current, &id).await?;
    let ApiJson(body) = body?;
    Ok(Json(
        cancel::choose_reason(&state, &current, &id, &body).await?,
    ))
}

/// Accepts an offer shown in this run and applies it; the wizard ends.
#[utoipa::path(post, path = "/api/cancel-flow/sessions/{id}/accept", tag = "cancel",
    params(("id" = String, Path, description = "The wizard run")),
    request_body = AcceptOfferRequest,
    responses(
        (status = 200, description = "Applied", body = OfferOutcome),
        (status = 400, description = "The offer wasn't shown", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 402, description = "A charge was declined; nothing changed", body = ErrorBody),
        (status = 403, description = "No account:cancel permission", body = ErrorBody),
        (status = 404, description = "No such run in this account", body = ErrorBody),
        (status = 409, description = "The run is finished or the state forbids it", body = ErrorBody),
    ))]
pub async fn accept_cancel_offer(
    State(state): State<AppState>,
    current: Actor,
    Path(id): Path<String>,
    body: Result<ApiJson<AcceptOfferRequest>, ApiError>,
) -> ApiResult<Json<OfferOutcome>> {
    current.require(Permission::AccountCancel)?;
    // Permission first: a caller without it learns nothing from body errors.
    cancel::ensure_session(&state, &current, &id).await?;
    let ApiJson(body) = body?;
    Ok(Json(
        cancel::accept_offer(&state, &current, &id, &body.offer_id).await?,
    ))
}

/// Asks the Customer Success Manager for a meeting (contract plans).
#[utoipa::path(post, path = "/api/cancel-flow/meeting-requests", tag = "cancel",
    request_body = WizardStepRequest,
    responses(
        (status = 202, description = "Sent to Customer Success"),
        (status = 400, description = "The note is too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No account:cancel permission", body = ErrorBody),
    ))]
pub async fn create_meeting_request(
    State(state): State<AppState>,
    current: Actor,
    body: Result<ApiJson<WizardStepRequest>, ApiError>,
) -> ApiResult<StatusCode> {
    current.require(Permission::AccountCancel)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    cancel::request_meeting(
        &state,
        &current,
        body.session_id.as_deref(),
        body.note.as_deref(),
        None,
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Cancels after `CONFIRM` and every consequence acknowledged.
#[utoipa::path(post, path = "/api/subscription/cancel", tag = "cancel",
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Scheduled (or ended, per policy)", body = BillingOverview),
        (status = 400, description = "Not confirmed or not acknowledged; nothing changed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No account:cancel permission", body = ErrorBody),
        (status = 409, description = "A contract plan, or already scheduled", body = ErrorBody),
    ))]
pub async fn cancel_subscription(
    State(state): State<AppState>,
    current: Actor,
    body: Result<ApiJson<CancelRequest>, ApiError>,
) -> ApiResult<Json<BillingOverview>> {
    current.require(Permission::AccountCancel)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    Ok(Json(cancel::cancel(&state, &current, &body).await?))
}

/// Withdraws a scheduled cancellation ("Resume subscription").
#[utoipa::path(delete, path = "/api/subscription/cancel", tag = "cancel",
    responses(
        (status = 200, description = "The subscription continues", body = BillingOverview),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:manage permission", body = ErrorBody),
        (status = 409, description = "Nothing to resume", body = ErrorBody),
    ))]
pub async fn resume_cancelled_subscription(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<Json<BillingOverview>> {
    Ok(Json(cancel::resume_cancellation(&state, &current).await?))
}

/// Pauses at the pause price instead of cancelling.
#[utoipa::path(post, path = "/api/subscription/pause", tag = "cancel",
    request_body = WizardStepRequest,
    responses(
        (status = 200, description = "Paused", body = BillingOverview),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No account:cancel permission", body = ErrorBody),
        (status = 404, description = "No such cancel session (when one is named)", body = ErrorBody),
        (status = 409, description = "Not possible in this state", body = ErrorBody),
    ))]
pub async fn pause_subscription(
    State(state): State<AppState>,
    current: Actor,
    body: Result<ApiJson<WizardStepRequest>, ApiError>,
) -> ApiResult<Json<BillingOverview>> {
    current.require(Permission::AccountCancel)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    cancel::check_note(body.note.as_deref())?;
    let session = body.session_id.as_deref();
    Ok(Json(
        cancel::pause_instead(&state, &current, session).await?,
    ))
}

/// Resumes a paused subscription.
#[utoipa::path(post, path = "/api/subscription/resume", tag = "cancel",
    responses(
        (status = 200, description = "Active again", body = BillingOverview),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 402, description = "The charge was declined; still paused", body = ErrorBody),
        (status = 403, description = "No billing:manage permission", body = ErrorBody),
        (status = 409, description = "Not paused", body = ErrorBody),
    ))]
pub async fn resume_subscription(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<Json<BillingOverview>> {
    Ok(Json(cancel::resume(&state, &current).await?))
}

/// What ending the subscription now would refund, with the computation.
#[utoipa::path(get, path = "/api/refunds", tag = "cancel",
    responses(
        (status = 200, description = "The refund due now", body = RefundQuote),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner requests refunds", body = ErrorBody),
        (status = 409, description = "Nothing to refund", body = ErrorBody),
    ))]
pub async fn get_refund_quote(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<Json<RefundQuote>> {
    Ok(Json(cancel::refund_quote(&state, &current).await?))
}

/// Ends the subscription now and refunds what is due (owner; `CONFIRM`).
#[utoipa::path(post, path = "/api/refunds", tag = "cancel",
    request_body = RefundRequest,
    responses(
        (status = 200, description = "Refunded; the subscription has ended", body = RefundResult),
        (status = 400, description = "Not confirmed; nothing changed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner requests refunds", body = ErrorBody),
        (status = 409, description = "Nothing to refund", body = ErrorBody),
    ))]
pub async fn create_refund(
    State(state): State<AppState>,
    current: Actor,
    body: Result<ApiJson<RefundRequest>, ApiError>,
) -> ApiResult<Json<RefundResult>> {
    current.require(Permission::Refund)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    Ok(Json(
        cancel::request_refund(&state, &current, &body.confirmation).await?,
    ))
}

/// Asks the billing team to withdraw the credit balance (owner). The whole
/// available balance is held out of it until the team decides.
#[utoipa::path(post, path = "/api/balance/withdrawals", tag = "cancel",
    request_body = WizardStepRequest,
    responses(
        (status = 201, description = "Requested; the amount is held", body = Withdrawal),
        (status = 400, description = "The note is too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the owner withdraws", body = ErrorBody),
        (status = 409, description = "No balance", body = ErrorBody),
    ))]
pub async fn create_balance_withdrawal(
    State(state): State<AppState>,
    current: Actor,
    body: Result<ApiJson<WizardStepRequest>, ApiError>,
) -> ApiResult<(StatusCode, Json<Withdrawal>)> {
    current.require(Permission::Refund)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    let w = cancel::withdraw_balance(&state, &current, body.note.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(cancel::withdrawal_view(&w))))
}

/// The account's withdrawal requests, newest first.
#[utoipa::path(get, path = "/api/balance/withdrawals", tag = "cancel",
    responses(
        (status = 200, description = "Withdrawal requests", body = WithdrawalList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
    ))]
pub async fn list_balance_withdrawals(
    State(state): State<AppState>,
    current: Actor,
) -> ApiResult<Json<WithdrawalList>> {
    Ok(Json(cancel::withdrawals(&state, &current).await?))
}

/// Every money movement of the account, oldest first, with the balances
/// they add up to (SPEC §11).
#[utoipa::path(get, path = "/api/ledger", tag = "billing",
    responses(
        (status = 200, description = "The ledger", body = Ledger),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
    ))]
pub async fn get_ledger(State(state): State<AppState>, current: Actor) -> ApiResult<Json<Ledger>> {
    Ok(Json(ledger::view(&state, &current).await?))
}

/// Records product usage (chats, bot conversations, rules run, campaigns…),
/// which decides refund eligibility.
#[utoipa::path(post, path = "/api/usage", tag = "cancel",
    request_body = UsageRequest,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Bad kind or quantity", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
pub async fn record_usage(
    State(state): State<AppState>,
    current: Actor,
    ApiJson(body): ApiJson<UsageRequest>,
) -> ApiResult<StatusCode> {
    cancel::record_usage(&state, &current, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
