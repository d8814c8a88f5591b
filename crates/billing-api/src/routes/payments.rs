//! Cards: the simulated gateway's tokenization, and saving a card.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services::actor::Actor;
use crate::services::payments;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use billing_domain::wire::{
    AttachPaymentMethodRequest, CardToken, CardTokenRequest, ErrorBody, PaymentMethodResult,
};
use billing_domain::Permission;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/gateway/tokens` and `/api/payment-methods`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_card_token))
        .routes(routes!(create_payment_method))
}

/// The simulated gateway's tokenization: card number and CVC go here and
/// nowhere else; the answer is a token for `POST /api/payment-methods`.
#[utoipa::path(post, path = "/api/gateway/tokens", tag = "payments",
    request_body = CardTokenRequest,
    responses(
        (status = 201, description = "The card's token", body = CardToken),
        (status = 400, description = "The card details are invalid (names the field)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:manage permission", body = ErrorBody),
    ))]
pub async fn create_card_token(
    State(state): State<AppState>,
    actor: Actor,
    body: Result<ApiJson<CardTokenRequest>, ApiError>,
) -> ApiResult<(StatusCode, Json<CardToken>)> {
    // Permission first: a caller without it learns nothing from body errors.
    actor.require(Permission::BillingManage)?;
    let ApiJson(body) = body?;
    let token = payments::tokenize(&state, &actor, body).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

/// Makes a tokenized card the account's default, then retries every open
/// invoice with it at once (reactivating a past-due, deactivated or frozen
/// account when they are paid).
#[utoipa::path(post, path = "/api/payment-methods", tag = "payments",
    request_body = AttachPaymentMethodRequest,
    responses(
        (status = 200, description = "The card is saved; open invoices were retried", body = PaymentMethodResult),
        (status = 400, description = "Unknown token", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 402, description = "The card was declined; nothing changed", body = ErrorBody),
        (status = 403, description = "No billing:manage permission", body = ErrorBody),
    ))]
pub async fn create_payment_method(
    State(state): State<AppState>,
    actor: Actor,
    body: Result<ApiJson<AttachPaymentMethodRequest>, ApiError>,
) -> ApiResult<Json<PaymentMethodResult>> {
    // Permission first: a caller without it learns nothing from body errors.
    actor.require(Permission::BillingManage)?;
    let ApiJson(body) = body?;
    Ok(Json(payments::save_card(&state, &actor, body).await?))
}
