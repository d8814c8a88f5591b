//! Test-mode routes (mounted only when `BILLING_MODE=test`; elsewhere 404).

use crate::error::{ApiError, ApiResult};
use crate::scheduler;
use crate::services::cancel;
use crate::services::seed;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use billing_domain::wire::{
    AdvanceClockRequest, ClockResponse, Email, EmailAttachment, EmailList, ErrorBody,
    GatewayCharge, GatewayChargeList, TestAccount, Withdrawal, WithdrawalDecision,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::extract::{parse_json, ApiJson};
use axum::body::Bytes;
use billing_domain::wire::CreateTestAccountRequest;
use billing_domain::PlanId;

/// The longest single advance: five years.
const MAX_ADVANCE_SECONDS: i64 = 5 * 366 * 86_400;

/// `/api/test/*`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_test_account))
        .routes(routes!(advance_clock))
        .routes(routes!(list_test_emails))
        .routes(routes!(decide_test_withdrawal))
        .routes(routes!(list_test_gateway_charges))
}

/// The billing team's decision on a withdrawal request (the CLI's
/// `billing-api withdrawals decide` in production).
#[utoipa::path(post, path = "/api/test/withdrawals/{id}/decision", tag = "test",
    request_body = WithdrawalDecision,
    params(("id" = String, Path, description = "The withdrawal request")),
    responses(
        (status = 200, description = "Decided", body = Withdrawal),
        (status = 400, description = "Not `paid` or `declined`", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
    ))]
pub async fn decide_test_withdrawal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WithdrawalDecision>,
) -> ApiResult<Json<Withdrawal>> {
    let paid = cancel::decision(&body.decision)?;
    let w = cancel::decide_withdrawal(&state, &id, paid, "test").await?;
    Ok(Json(cancel::withdrawal_view(&w)))
}

/// The simulated gateway's charges and refunds on the account's cards.
#[utoipa::path(get, path = "/api/test/accounts/{account_id}/gateway-charges", tag = "test",
    params(("account_id" = String, Path, description = "The test account")),
    responses(
        (status = 200, description = "Charges and refunds, oldest first", body = GatewayChargeList),
        (status = 404, description = "No such test account", body = ErrorBody),
    ))]
pub async fn list_test_gateway_charges(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
) -> ApiResult<Json<GatewayChargeList>> {
    let account = test_account(&state, &account_id).await?;
    let data = state
        .store
        .gateway_charges_of_account(&account.id)
        .await?
        .into_iter()
        .map(|c| GatewayCharge {
            refund_of: c.outcome.strip_prefix("refunded:").map(str::to_string),
            id: c.id,
            amount: c.amount,
            outcome: c.outcome,
            idempotency_key: c.idempotency_key,
            created_at: c.created_at,
        })
        .collect();
    Ok(Json(GatewayChargeList { data }))
}

/// A fresh account on the demo subscription with one user per role; its
/// clock stands still at its creation time. The body is optional.
#[utoipa::path(post, path = "/api/test/accounts", tag = "test",
    request_body(content = Option<CreateTestAccountRequest>, description = "Optional: `{ \"with_card\": false }` for an account with no card on file, `{ \"plan\": \"premium\" }` for a Premium (annual contract) account"),
    responses(
        (status = 201, description = "The new account and its users", body = TestAccount),
        (status = 400, description = "A malformed body", body = ErrorBody),
    ))]
pub async fn create_test_account(
    State(state): State<AppState>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<TestAccount>)> {
    // No body, or `null`, takes every default (the schema allows both).
    let options: CreateTestAccountRequest = if body.iter().all(u8::is_ascii_whitespace) {
        CreateTestAccountRequest::default()
    } else {
        parse_json::<Option<CreateTestAccountRequest>>(&body)?.unwrap_or_default()
    };
    let account = seed::create_test_account(
        &state,
        options.with_card.unwrap_or(true),
        options.plan.unwrap_or(PlanId::Business),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(account)))
}

async fn test_account(state: &AppState, id: &str) -> ApiResult<crate::store::AccountRecord> {
    state
        .store
        .account(id)
        .await?
        .filter(|a| a.clock_at.is_some())
        .ok_or(ApiError::NotFound("test account"))
}

/// Advances the test account's clock and runs, in order, every piece of
/// billing work that fell due.
#[utoipa::path(post, path = "/api/test/accounts/{account_id}/clock", tag = "test",
    params(("account_id" = String, Path, description = "The test account's id")),
    request_body = AdvanceClockRequest,
    responses(
        (status = 200, description = "The account's new time", body = ClockResponse),
        (status = 400, description = "advance_seconds out of range", body = ErrorBody),
        (status = 404, description = "No such test account", body = ErrorBody),
    ))]
pub async fn advance_clock(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    ApiJson(body): ApiJson<AdvanceClockRequest>,
) -> ApiResult<Json<ClockResponse>> {
    let account = test_account(&state, &account_id).await?;
    if !(1..=MAX_ADVANCE_SECONDS).contains(&body.advance_seconds) {
        return Err(ApiError::invalid(
            "advance_seconds",
            "out_of_range",
            format!("`advance_seconds` must be between 1 and {MAX_ADVANCE_SECONDS}."),
        ));
    }
    let to = scheduler::advance_clock(&state, &account.id, body.advance_seconds).await?;
    Ok(Json(ClockResponse { now: to }))
}

/// Every e-mail the test account was sent, newest first.
#[utoipa::path(get, path = "/api/test/accounts/{account_id}/emails", tag = "test",
    params(("account_id" = String, Path, description = "The test account's id")),
    responses(
        (status = 200, description = "The account's e-mails", body = EmailList),
        (status = 404, description = "No such test account", body = ErrorBody),
    ))]
pub async fn list_test_emails(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
) -> ApiResult<Json<EmailList>> {
    test_account(&state, &account_id).await?;
    Ok(Json(emails_of(&state, &account_id).await?))
}

/// The account's e-mails on the wire.
pub async fn emails_of(state: &AppState, account_id: &str) -> ApiResult<EmailList> {
    let mut data = Vec::new();
    for e in state.store.emails(account_id).await? {
        let attachments = crate::mail::attachments::of(state, &e)
            .await
            .map_err(crate::services::error::ServiceError::from)?
            .into_iter()
            .map(|a| EmailAttachment {
                size: a.content.len() as u64,
                filename: a.filename,
                content_type: a.content_type,
            })
            .collect();
        data.push(Email {
            id: e.id,
            kind: e.kind,
            to: e.to_email,
            cc: e.cc,
            subject: e.subject,
            body: e.body,
            invoice_id: e.invoice_id,
            created_at: e.created_at,
            sent_at: e.sent_at,
            attachments,
        });
    }
    Ok(EmailList { data })
}
