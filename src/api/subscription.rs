//! Manage Subscription: price a change, make exactly that change, and undo
//! a change that waits for the renewal.

use super::{answer, common, mutating, send, ApiError, Auth};
use billing_domain::change::ChangeRequest;
use billing_domain::wire::{SubscriptionChangeResult, SubscriptionPreview};
use gloo_net::http::Request;

/// `POST /api/subscription/preview`: what `change` would charge today,
/// credit, leave pending and renew at. Changes nothing, so it carries no
/// `Idempotency-Key`. Billing readers may preview; a refused change is a 400
/// naming the field (`param`), a subscription that can't change a 409.
pub async fn preview(change: &ChangeRequest) -> Result<SubscriptionPreview, ApiError> {
    let request = common(Request::post("/api/subscription/preview")).json(change);
    answer(request, Auth::Session).await?.json()
}

/// `POST /api/subscription/changes`: makes the change, charging exactly what
/// the preview said when `change.proration_date` is the preview's.
/// `version` is the overview's (sent as `If-Match`): a stale one is a 412
/// `version_mismatch`, a declined card a 402 `card_error`; neither changes
/// anything.
pub async fn change(
    change: &ChangeRequest,
    version: i64,
) -> Result<SubscriptionChangeResult, ApiError> {
    let request = mutating(Request::post("/api/subscription/changes"))
        .header("If-Match", &if_match(version))
        .json(change);
    answer(request, Auth::Session).await?.json()
}

/// A change that waits for the renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingChange {
    /// A seat reduction.
    Seats,
    /// A switch from annual to monthly billing.
    Interval,
}

impl PendingChange {
    fn as_str(self) -> &'static str {
        match self {
            PendingChange::Seats => "seats",
            PendingChange::Interval => "interval",
        }
    }
}

/// `DELETE /api/subscription/pending-changes/{kind}`: undoes a pending
/// change (204). `version` is the overview's; a stale one is a 412.
pub async fn undo_pending_change(kind: PendingChange, version: i64) -> Result<(), ApiError> {
    let path = format!("/api/subscription/pending-changes/{}", kind.as_str());
    let request = mutating(Request::delete(&path))
        .header("If-Match", &if_match(version))
        .build();
    send(request, Auth::Session).await.map(drop)
}

/// The `If-Match` value for a version: the overview's `ETag`, e.g. `"3"`.
fn if_match(version: i64) -> String {
    format!("\"{version}\"")
}
