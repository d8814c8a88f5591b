//! The audit log on the wire.

use crate::audit::AuditAction;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Who did something recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Actor {
    pub id: String,
    pub name: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditLogEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Null when the system acted (renewals, dunning).
    pub actor: Option<Actor>,
    /// What was done, e.g. `subscription.changed`, `invoice.paid`.
    pub action: AuditAction,
    /// The details and amounts.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// `GET /api/audit-log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditLog {
    pub data: Vec<AuditLogEntry>,
    pub has_more: bool,
}
