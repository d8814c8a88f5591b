//! The account's audit log.

use super::{encode, get_json, ApiError};
use billing_domain::wire::AuditLog;

/// `GET /api/audit-log`: a page of at most `limit` entries, newest first,
/// after the entry `starting_after` (the last id of the previous page).
/// Owner and admins only (`audit:read`; 403 otherwise).
pub async fn audit_log(limit: u32, starting_after: Option<&str>) -> Result<AuditLog, ApiError> {
    let mut path = format!("/api/audit-log?limit={limit}");
    if let Some(id) = starting_after {
        path.push_str("&starting_after=");
        path.push_str(&encode(id));
    }
    get_json(&path).await
}
