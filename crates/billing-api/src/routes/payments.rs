//! Cards: the simulated gateway's tokenization, and saving a card.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, CurrentUser};
use crate::gateway::{CardInput, GatewayError};
use crate::services::billing::{self, audit, Attempt};
use crate::services::seed::new_id;
use crate::state::AppState;
use crate::store::{PaymentMethodRecord, Write};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use billing_domain::wire::{
    AttachPaymentMethodRequest, CardToken, CardTokenRequest, ErrorBody, PaymentMethodResult,
    PaymentMethodSummary, RetriedInvoice,
};
use billing_domain::{Money, Permission};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/gateway/tokens` and `/api/payment-methods`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_card_token))
        .routes(routes!(create_payment_method))
}

/// A gateway refusal as an API error naming the field or the decline.
pub fn gateway_error(e: GatewayError) -> ApiError {
    match e {
        GatewayError::InvalidCard(card) => {
            ApiError::invalid(card.param(), card.code(), card.to_string())
        }
        GatewayError::Declined { code, message } => ApiError::CardDeclined { code, message },
        GatewayError::UnknownToken => ApiError::invalid(
            "token",
            "unknown_token",
            "That card token is unknown or was used up.",
        ),
        GatewayError::Unavailable(e) => ApiError::Internal(e),
    }
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
    current: CurrentUser,
    body: Result<ApiJson<CardTokenRequest>, ApiError>,
) -> ApiResult<(StatusCode, Json<CardToken>)> {
    current.require(Permission::BillingManage)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    let now = state.now_for(&current.account);
    let card = state
        .gateway
        .tokenize(
            CardInput {
                number: body.number,
                exp_month: body.exp_month,
                exp_year: body.exp_year,
                cvc: body.cvc,
            },
            now,
        )
        .await
        .map_err(gateway_error)?;
    Ok((
        StatusCode::CREATED,
        Json(CardToken {
            token: card.token,
            brand: card.brand,
            last4: card.last4,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        }),
    ))
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
    current: CurrentUser,
    body: Result<ApiJson<AttachPaymentMethodRequest>, ApiError>,
) -> ApiResult<Json<PaymentMethodResult>> {
    current.require(Permission::BillingManage)?;
    // Permission first: a caller without it learns nothing from body errors.
    let ApiJson(body) = body?;
    let account = &current.account;
    let now = state.now_for(account);
    let card = state
        .gateway
        .attach(&body.token, now)
        .await
        .map_err(gateway_error)?;
    let record = PaymentMethodRecord {
        id: new_id("pm"),
        account_id: account.id.clone(),
        brand: card.brand.as_str().into(),
        last4: card.last4.clone(),
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        gateway_token: card.token.clone(),
        is_default: true,
        created_at: now,
    };
    state
        .store
        .commit(vec![
            Write::SetDefaultPaymentMethod(record),
            audit(
                &account.id,
                Some(&current.user.id),
                "payment_method.updated",
                json!({ "brand": card.brand, "last4": card.last4, "exp_month": card.exp_month, "exp_year": card.exp_year }),
                now,
            ),
        ])
        .await?;
    let mut retried = Vec::new();
    {
        let _guard = state.account_lock(&account.id).await;
        crate::services::charge::reconcile(&state, account, now)
            .await
            .map_err(ApiError::from_charge)?;
        // Within the retention window, a card reactivates a canceled account;
        // a deactivated or frozen account starts a new period now, its locked
        // periods' invoices voided, never charged. Either way the card stays
        // saved, and the answer says what was charged or why not.
        let locked = state.store.open_invoices(&account.id).await?;
        let restart = match crate::services::cancel::reactivate(&state, account, now).await? {
            Some(attempt) => Some(attempt),
            None => crate::services::cancel::recover(&state, account, now).await?,
        };
        let restarted = restart.is_some();
        if let Some(attempt) = restart {
            match &attempt.verdict {
                Ok(()) => {
                    if let Some(inv) = state.store.invoice(&attempt.invoice_id).await? {
                        retried.push(RetriedInvoice {
                            number: crate::mail::templates::invoice_number(&inv),
                            invoice_id: inv.id,
                            amount: attempt.amount,
                            status: billing_domain::invoice::InvoiceStatus::Paid,
                            error: None,
                        });
                    }
                }
                Err(decline) => {
                    // What it was to pay stays owed; nothing was charged.
                    let message = decline.to_string();
                    for inv in &locked {
                        retried.push(RetriedInvoice {
                            number: crate::mail::templates::invoice_number(inv),
                            invoice_id: inv.id.clone(),
                            amount: Money::new(inv.total, inv.currency),
                            status: billing_domain::invoice::InvoiceStatus::Open,
                            error: Some(message.clone()),
                        });
                    }
                    if locked.is_empty() {
                        retried.push(RetriedInvoice {
                            number: "reactivation".into(),
                            invoice_id: attempt.invoice_id.clone(),
                            amount: attempt.amount,
                            status: billing_domain::invoice::InvoiceStatus::Void,
                            error: Some(message),
                        });
                    }
                }
            }
        }
        for inv in state
            .store
            .open_invoices(&account.id)
            .await?
            .into_iter()
            .filter(|_| !restarted)
        {
            let verdict = billing::collect(&state, account, &inv.id, now, Attempt::Retry)
                .await
                .map_err(ApiError::from_charge)?;
            retried.push(RetriedInvoice {
                number: crate::mail::templates::invoice_number(&inv),
                invoice_id: inv.id,
                amount: Money::new(inv.total, inv.currency),
                status: if verdict.is_ok() {
                    billing_domain::invoice::InvoiceStatus::Paid
                } else {
                    billing_domain::invoice::InvoiceStatus::Open
                },
                error: verdict.err().map(|e| e.to_string()),
            });
        }
    }
    let status = state
        .store
        .subscription(&account.id)
        .await?
        .map(|s| s.status)
        .ok_or_else(|| anyhow::anyhow!("no subscription"))?;
    Ok(Json(PaymentMethodResult {
        payment_method: PaymentMethodSummary {
            brand: card.brand,
            last4: card.last4,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        },
        status,
        retried,
    }))
}
