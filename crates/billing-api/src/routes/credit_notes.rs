//! Credit notes: list, detail and PDF.

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services::actor::Actor;
use crate::services::credit_notes;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing_domain::wire::{CreditNote, CreditNoteList, ErrorBody};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/api/credit-notes`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_credit_notes))
        .routes(routes!(get_credit_note))
        .routes(routes!(get_credit_note_pdf))
}

/// Paging through credit notes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListCreditNotesQuery {
    /// How many (1–100, default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The id of the last credit note of the previous page.
    pub starting_after: Option<String>,
}

/// The account's credit notes, newest first.
#[utoipa::path(get, path = "/api/credit-notes", tag = "invoices",
    params(ListCreditNotesQuery),
    responses(
        (status = 200, description = "A page of credit notes", body = CreditNoteList),
        (status = 400, description = "A bad paging parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
    ))]
pub async fn list_credit_notes(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ListCreditNotesQuery>,
) -> ApiResult<Json<CreditNoteList>> {
    let after = query.starting_after.as_deref();
    Ok(Json(
        credit_notes::list(&state, &actor, query.limit, after).await?,
    ))
}

/// One credit note with its lines.
#[utoipa::path(get, path = "/api/credit-notes/{id}", tag = "invoices",
    params(("id" = String, Path, description = "The credit note's id")),
    responses(
        (status = 200, description = "The credit note", body = CreditNote),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
        (status = 404, description = "No such credit note in this account", body = ErrorBody),
    ))]
pub async fn get_credit_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<CreditNote>> {
    Ok(Json(credit_notes::get(&state, &actor, &id).await?))
}

/// The credit note as a PDF download.
#[utoipa::path(get, path = "/api/credit-notes/{id}/pdf", tag = "invoices",
    params(("id" = String, Path, description = "The credit note's id")),
    responses(
        (status = 200, description = "The credit note as PDF", content_type = "application/pdf"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No billing:read permission", body = ErrorBody),
        (status = 404, description = "No such credit note in this account", body = ErrorBody),
    ))]
pub async fn get_credit_note_pdf(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cn = credit_notes::get(&state, &actor, &id).await?;
    let filename = format!("attachment; filename=\"{}.pdf\"", cn.number);
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_string()),
            (CONTENT_DISPOSITION, filename),
        ],
        credit_notes::render_pdf(&cn),
    )
        .into_response())
}
