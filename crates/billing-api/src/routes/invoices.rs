//! Invoices: list, detail and PDF.

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services::actor::Actor;
use crate::services::invoices;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing_domain::wire::{ErrorBody, Invoice, InvoiceList};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/invoices`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_invoices))
        .routes(routes!(get_invoice))
        .routes(routes!(get_invoice_pdf))
}

/// Paging through invoices.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListInvoicesQuery {
    /// How many (1–100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The id of the last invoice of the previous page.
    pub starting_after: Option<String>,
}

/// The account's invoices, newest first.
#[utoipa::path(get, path = "/api/invoices", tag = "invoices",
    params(ListInvoicesQuery),
    responses(
        (status = 200, description = "A page of invoices", body = InvoiceList),
        (status = 400, description = "A bad paging parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
    ))]
pub async fn list_invoices(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ListInvoicesQuery>,
) -> ApiResult<Json<InvoiceList>> {
    let after = query.starting_after.as_deref();
    Ok(Json(
        invoices::list(&state, &actor, query.limit, after).await?,
    ))
}

/// One invoice with its lines.
#[utoipa::path(get, path = "/api/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice", body = Invoice),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
        (status = 404, description = "No such invoice in this account", body = ErrorBody),
    ))]
pub async fn get_invoice(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Invoice>> {
    Ok(Json(invoices::get(&state, &actor, &id).await?))
}

/// The invoice as a PDF download.
#[utoipa::path(get, path = "/api/invoices/{id}/pdf", tag = "invoices",
    params(("id" = String, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice as PDF", content_type = "application/pdf"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
        (status = 404, description = "No such invoice in this account", body = ErrorBody),
    ))]
pub async fn get_invoice_pdf(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let inv = invoices::get(&state, &actor, &id).await?;
    let filename = format!("attachment; filename=\"{}.pdf\"", inv.number);
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_string()),
            (CONTENT_DISPOSITION, filename),
        ],
        invoices::render_pdf(&inv),
    )
        .into_response())
}
