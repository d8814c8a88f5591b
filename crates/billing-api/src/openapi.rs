//! The OpenAPI document served at `/api/openapi.json`.

use utoipa::OpenApi;

/// The document's fixed parts; the paths come from the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Billing portal API",
        description = "The JSON API of the self-serve billing portal. Money is `{ amount, currency }` in minor units; times are RFC 3339 UTC; errors are `{ error: { type, code, message, param } }`.",
        version = "0.1.0"
    ),
    tags(
        (name = "meta", description = "Health and this document"),
        (name = "session", description = "Signing in and out"),
        (name = "catalog", description = "What is sold: plans, intervals, prices, add-ons, the pause price and the refund window"),
        (name = "billing", description = "Plans & Billing"),
        (name = "account", description = "The signed-in user's account"),
        (name = "members", description = "Users and their billing access"),
        (name = "invoices", description = "Invoices and their PDFs"),
        (name = "subscription", description = "Manage Subscription: previews, changes, pending changes"),
        (name = "audit", description = "The audit log"),
        (name = "cancel", description = "The cancel wizard, pause and resume, refunds, usage"),
        (name = "payments", description = "Card tokenization and the default payment method"),
        (name = "vendor", description = "The vendor's own API: entitlements, invoices, withdrawal decisions (bearer API key)"),
        (name = "dev", description = "Dev and test modes only"),
        (name = "test", description = "Test mode only"),
    )
)]
pub struct ApiDoc;
