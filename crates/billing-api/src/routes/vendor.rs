//! The vendor's own API (SPEC §13), behind `Authorization: Bearer
//! <BILLING_VENDOR_API_KEY>`: what an account may use, its invoices, and
//! the billing team's decisions on withdrawal requests.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::invoices::ListInvoicesQuery;
use crate::services::cancel::withdrawal_view;
use crate::services::vendor::{self, Vendor};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use billing_domain::wire::{
    Entitlements, ErrorBody, InvoiceList, Withdrawal, WithdrawalDecision, WithdrawalList,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/vendor`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_vendor_entitlements))
        .routes(routes!(list_vendor_invoices))
        .routes(routes!(list_vendor_withdrawals))
        .routes(routes!(decide_vendor_withdrawal))
}

/// What an account may use of the vendor's product now.
#[utoipa::path(get, path = "/api/vendor/accounts/{account_id}/entitlements", tag = "vendor",
    params(("account_id" = String, Path, description = "The account")),
    responses(
        (status = 200, description = "The account's access and subscription", body = Entitlements),
        (status = 401, description = "A wrong or missing API key", body = ErrorBody),
        (status = 404, description = "No such account (or no vendor API key configured)", body = ErrorBody),
    ))]
pub async fn get_vendor_entitlements(
    vendor: Vendor,
    State(state): State<AppState>,
    Path(account_id): Path<String>,
) -> ApiResult<Json<Entitlements>> {
    Ok(Json(
        vendor::entitlements(&state, &vendor, &account_id).await?,
    ))
}

/// The account's invoices, newest first, kept after its data is deleted.
#[utoipa::path(get, path = "/api/vendor/accounts/{account_id}/invoices", tag = "vendor",
    params(("account_id" = String, Path, description = "The account"), ListInvoicesQuery),
    responses(
        (status = 200, description = "A page of invoices", body = InvoiceList),
        (status = 400, description = "A bad paging parameter", body = ErrorBody),
        (status = 401, description = "A wrong or missing API key", body = ErrorBody),
        (status = 404, description = "No such account (or no vendor API key configured)", body = ErrorBody),
    ))]
pub async fn list_vendor_invoices(
    vendor: Vendor,
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    ApiQuery(query): ApiQuery<ListInvoicesQuery>,
) -> ApiResult<Json<InvoiceList>> {
    let after = query.starting_after.as_deref();
    Ok(Json(
        vendor::invoices(&state, &vendor, &account_id, query.limit, after).await?,
    ))
}

/// Which withdrawal requests to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListWithdrawalsQuery {
    /// `requested` (the default: waiting for a decision), `paid` or `declined`.
    #[param(pattern = "^(requested|paid|declined)$")]
    pub status: Option<String>,
}

/// Withdrawal requests across every account, oldest first (at most 200).
#[utoipa::path(get, path = "/api/vendor/withdrawals", tag = "vendor",
    params(ListWithdrawalsQuery),
    responses(
        (status = 200, description = "The requests", body = WithdrawalList),
        (status = 400, description = "An unknown status", body = ErrorBody),
        (status = 401, description = "A wrong or missing API key", body = ErrorBody),
        (status = 404, description = "No vendor API key configured", body = ErrorBody),
    ))]
pub async fn list_vendor_withdrawals(
    vendor: Vendor,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListWithdrawalsQuery>,
) -> ApiResult<Json<WithdrawalList>> {
    let status = query.status.as_deref().unwrap_or("requested");
    let data = vendor::withdrawals(&state, &vendor, status)
        .await?
        .iter()
        .map(withdrawal_view)
        .collect();
    Ok(Json(WithdrawalList { data }))
}

/// The billing team's decision on a withdrawal request: `paid` moves the
/// held amount out, `declined` returns it to the balance. Sending the same
/// decision again changes nothing.
#[utoipa::path(post, path = "/api/vendor/withdrawals/{id}/decision", tag = "vendor",
    request_body = WithdrawalDecision,
    params(("id" = String, Path, description = "The withdrawal request")),
    responses(
        (status = 200, description = "Decided", body = Withdrawal),
        (status = 400, description = "Not `paid` or `declined`", body = ErrorBody),
        (status = 401, description = "A wrong or missing API key", body = ErrorBody),
        (status = 404, description = "No such request (or no vendor API key configured)", body = ErrorBody),
        (status = 409, description = "Already decided the other way", body = ErrorBody),
    ))]
pub async fn decide_vendor_withdrawal(
    vendor: Vendor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WithdrawalDecision>,
) -> ApiResult<Json<Withdrawal>> {
    let w = vendor::decide_withdrawal(&state, &vendor, &id, &body.decision).await?;
    Ok(Json(withdrawal_view(&w)))
}
