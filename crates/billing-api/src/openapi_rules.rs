//! What the derived OpenAPI document cannot say by itself, written into it
//! once at start-up (SPEC §14: the document tells the truth): the
//! `Idempotency-Key` every state change needs, the shapes of `If-Match` and
//! of path parameters, the choices the configuration decides (cancel
//! reasons and offers, how far ahead a card may expire), the session cookie,
//! and links from the operations that create ids to those that use them.
//!
//! The document is edited as JSON: some of it (a conditional requirement)
//! is JSON Schema the typed model has no field for.

use crate::idempotency::{requires_key, KEY_PATTERN, MAX_KEY_LEN};
use crate::routes::subscription::IF_MATCH_PATTERN;
use crate::state::AppState;
use axum::http::Method;
use chrono::Datelike;
use serde_json::{json, Map, Value};

/// Characters Rust's `str::trim` removes; a text made only of them counts
/// as empty. Listed one by one so every regex dialect reads them the same.
const BLANK_CHARS: &str =
    "\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// The finished document.
pub fn finish(doc: utoipa::openapi::OpenApi, state: &AppState) -> Value {
    let mut doc = serde_json::to_value(doc).unwrap_or(Value::Null);
    headers_and_path_params(&mut doc);
    common_responses(&mut doc);
    configured_choices(&mut doc, state);
    billing_details(&mut doc);
    session_cookie(&mut doc);
    links(&mut doc);
    doc
}

/// Every operation of the document, with its method and path.
fn operations(doc: &mut Value) -> Vec<(String, String, &mut Map<String, Value>)> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    paths
        .iter_mut()
        .flat_map(|(path, item)| {
            let path = path.clone();
            item.as_object_mut()
                .into_iter()
                .flat_map(|item| item.iter_mut())
                .filter_map(move |(method, op)| {
                    op.as_object_mut()
                        .map(|op| (method.clone(), path.clone(), op))
                })
        })
        .collect()
}

fn header(name: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": schema,
    })
}

/// `Idempotency-Key` on every state change that needs one; the shapes of
/// `If-Match` and of the path parameters the API checks.
fn headers_and_path_params(doc: &mut Value) {
    for (method, path, op) in operations(doc) {
        let Ok(method) = method.to_uppercase().parse::<Method>() else {
            continue;
        };
        let params = op
            .entry("parameters")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("parameters is a list");
        params.retain(|p| p["name"] != "Idempotency-Key");
        if requires_key(&method, &path) {
            params.push(header(
                "Idempotency-Key",
                true,
                json!({ "type": "string", "minLength": 1, "maxLength": MAX_KEY_LEN, "pattern": KEY_PATTERN }),
                "A fresh key per change, sent again with a retry: the retry replays the first answer. Required whenever signed in.",
            ));
        }
        for p in params.iter_mut() {
            match (p["in"].as_str(), p["name"].as_str()) {
                (Some("header"), Some("If-Match")) => {
                    p["schema"] = json!({ "type": "string", "pattern": IF_MATCH_PATTERN });
                }
                (Some("path"), Some("token")) => {
                    p["schema"] = json!({ "type": "string", "pattern": "^[0-9a-fA-F]{64}$" });
                }
                (Some("path"), Some("kind")) => {
                    p["schema"] = json!({ "type": "string", "enum": ["seats", "interval"] });
                }
                _ => {}
            }
        }
    }
}

/// The answers every operation of a kind can give, whatever its handler
/// says: a key missing, reused or still in flight for those that take one, a body
/// not sent as JSON or too large for those that take one.
fn common_responses(doc: &mut Value) {
    for (method, path, op) in operations(doc) {
        let Ok(method) = method.to_uppercase().parse::<Method>() else {
            continue;
        };
        let has_body = op.contains_key("requestBody");
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut add = |code: &str, description: &str| {
            responses.entry(code.to_string()).or_insert_with(|| {
                json!({
                    "description": description,
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } },
                })
            });
        };
        if requires_key(&method, &path) {
            add(
                "400",
                "No Idempotency-Key was sent, or the request is invalid",
            );
            add(
                "409",
                "A request with this Idempotency-Key is still being processed",
            );
            add(
                "422",
                "This Idempotency-Key was already used with a different request",
            );
        }
        if has_body {
            add("413", "The body is too large");
            add("415", "The body was not sent as JSON");
        }
    }
}

fn schema_mut<'a>(doc: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    doc.pointer_mut(&format!("/components/schemas/{name}"))
}

/// The choices the configuration makes: cancel reasons (and which need a
/// text), offers, and the latest card expiry year.
fn configured_choices(doc: &mut Value, state: &AppState) {
    let flow = &state.cancel_flow.file;
    let reasons: Vec<&str> = flow.reasons.iter().map(|r| r.id.as_str()).collect();
    let with_text: Vec<&str> = flow
        .reasons
        .iter()
        .filter(|r| r.requires_text)
        .map(|r| r.id.as_str())
        .collect();
    if let Some(schema) = schema_mut(doc, "ChooseReasonRequest") {
        schema["properties"]["reason"]["enum"] = json!(reasons);
        if !with_text.is_empty() {
            schema["allOf"] = json!([{
                "if": { "properties": { "reason": { "enum": with_text } }, "required": ["reason"] },
                "then": {
                    "required": ["text"],
                    "properties": { "text": { "type": "string", "pattern": format!("[^{BLANK_CHARS}]") } }
                }
            }]);
        }
    }
    let offers: Vec<&str> = flow.offers.iter().map(|o| o.id.as_str()).collect();
    if let Some(schema) = schema_mut(doc, "AcceptOfferRequest") {
        schema["properties"]["offer_id"]["enum"] = json!(offers);
    }
    // `check_expiry`: up to 50 years ahead of the current year.
    if let Some(schema) = schema_mut(doc, "CardTokenRequest") {
        schema["properties"]["exp_year"]["maximum"] = json!(state.clock.now().year() + 50);
    }
}

/// What the billing details' types cannot say: texts must not be blank,
/// each CC item is an e-mail, a country is one of ISO 3166-1's codes.
fn billing_details(doc: &mut Value) {
    let not_blank = json!(format!("[^{BLANK_CHARS}]"));
    if let Some(schema) = schema_mut(doc, "UpdateBillingDetailsRequest") {
        for field in ["legal_name", "tax_id"] {
            schema["properties"][field]["pattern"] = not_blank.clone();
        }
        // The address is an object the generator of examples needs one of.
        schema["properties"]["address"]["example"] = json!({
            "line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"
        });
        schema["properties"]["cc"]["items"] = json!({
            "type": "string",
            "maxLength": billing_domain::email::MAX_CHARS,
            "pattern": billing_domain::email::PATTERN,
            "example": "finance@acme.test",
        });
    }
    if let Some(schema) = schema_mut(doc, "PostalAddress") {
        for field in ["line1", "line2", "city", "region", "postal_code"] {
            schema["properties"][field]["pattern"] = not_blank.clone();
        }
        schema["properties"]["country"]["enum"] =
            json!(billing_domain::countries::CODES.as_slice());
    }
}

/// The session cookie as a security scheme, on every operation that can
/// answer "Not signed in"; the vendor's bearer key on the vendor API.
fn session_cookie(doc: &mut Value) {
    doc["components"]["securitySchemes"] = json!({
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": crate::cookies::SESSION_COOKIE,
            "description": "Set by `POST /api/session`.",
        },
        "vendor_api_key": {
            "type": "http",
            "scheme": "bearer",
            "description": "`BILLING_VENDOR_API_KEY`. Without one configured, every `/api/vendor/*` route answers 404; a session cookie never reaches them.",
        }
    });
    for (method, path, op) in operations(doc) {
        let needs_session = op.get("responses").and_then(|r| r.get("401")).is_some();
        if path.starts_with("/api/vendor/") {
            op.insert("security".into(), json!([{ "vendor_api_key": [] }]));
        } else if needs_session && !(method == "post" && path == "/api/session") {
            op.insert("security".into(), json!([{ "session": [] }]));
        }
    }
}

/// One link: (source operation, link name, target operation, parameters
/// as (name, runtime expression), the response field sent as the body).
type LinkRule = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);

/// The links.
const LINKS: &[LinkRule] = &[
    (
        "create_cancel_session",
        "ChooseReason",
        "choose_cancel_reason",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "create_cancel_session",
        "AcceptOffer",
        "accept_cancel_offer",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "create_access_request",
        "GrantRequest",
        "grant_access_request",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "create_access_request",
        "DeclineRequest",
        "decline_access_request",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "list_access_requests",
        "GrantFirstRequest",
        "grant_access_request",
        &[("id", "$response.body#/data/0/id")],
        None,
    ),
    (
        "list_access_requests",
        "DeclineFirstRequest",
        "decline_access_request",
        &[("id", "$response.body#/data/0/id")],
        None,
    ),
    (
        "create_card_token",
        "SaveCard",
        "create_payment_method",
        &[],
        Some("token"),
    ),
    (
        "create_subscription_change",
        "GetInvoice",
        "get_invoice",
        &[("id", "$response.body#/invoice_id")],
        None,
    ),
    (
        "create_subscription_change",
        "GetInvoicePdf",
        "get_invoice_pdf",
        &[("id", "$response.body#/invoice_id")],
        None,
    ),
    (
        "list_invoices",
        "GetFirstInvoice",
        "get_invoice",
        &[("id", "$response.body#/data/0/id")],
        None,
    ),
    (
        "list_invoices",
        "GetFirstInvoicePdf",
        "get_invoice_pdf",
        &[("id", "$response.body#/data/0/id")],
        None,
    ),
    (
        "list_members",
        "UpdateFirstMember",
        "update_member",
        &[("id", "$response.body#/data/0/id")],
        None,
    ),
    (
        "create_test_account",
        "AdvanceClock",
        "advance_clock",
        &[("account_id", "$response.body#/account_id")],
        None,
    ),
    (
        "create_test_account",
        "ListEmails",
        "list_test_emails",
        &[("account_id", "$response.body#/account_id")],
        None,
    ),
    (
        "create_test_account",
        "ListGatewayCharges",
        "list_test_gateway_charges",
        &[("account_id", "$response.body#/account_id")],
        None,
    ),
    (
        "create_balance_withdrawal",
        "DecideWithdrawal",
        "decide_test_withdrawal",
        &[("id", "$response.body#/id")],
        None,
    ),
];

/// Links from each creating operation's success answer to the operations
/// that take the id it made (only to operations this mode serves).
fn links(doc: &mut Value) {
    let ids: Vec<String> = operations(doc)
        .into_iter()
        .filter_map(|(_, _, op)| op.get("operationId")?.as_str().map(str::to_string))
        .collect();
    for (_, _, op) in operations(doc) {
        let Some(source) = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(success) = responses
            .iter_mut()
            .find(|(status, _)| status.starts_with('2'))
            .map(|(_, r)| r)
        else {
            continue;
        };
        for (from, name, target, params, body_field) in LINKS {
            if *from != source || !ids.iter().any(|id| id == target) {
                continue;
            }
            let mut link = json!({
                "operationId": target,
                "description": format!("Use the id this answer made with `{target}`."),
            });
            if !params.is_empty() {
                let params: Map<String, Value> = params
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), json!(v)))
                    .collect();
                link["parameters"] = Value::Object(params);
            }
            if let Some(field) = body_field {
                link["requestBody"] = json!({ *field: format!("{{$response.body#/{field}}}") });
            }
            success["links"][*name] = link;
        }
    }
}
