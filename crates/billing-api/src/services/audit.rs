//! The audit log: every state change writes a line in the batch that
//! makes it, and the owner and admins read it back.

use crate::ids::new_id;
use crate::services::actor::Actor;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{AuditEntry, Write};
use billing_domain::audit::AuditAction;
use billing_domain::wire::{self, AuditLog, AuditLogEntry};
use billing_domain::Permission;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// An audit line by the system (or by the user `actor`).
pub fn audit(
    account_id: &str,
    actor: Option<&str>,
    action: AuditAction,
    details: serde_json::Value,
    at: DateTime<Utc>,
) -> Write {
    Write::Audit(AuditEntry {
        id: new_id("aud"),
        account_id: account_id.into(),
        actor_user_id: actor.map(str::to_string),
        action: action.as_str().into(),
        details,
        at,
    })
}

/// A page of the account's audit log, newest first: at most `limit`
/// (1–200) after the entry `starting_after` (owner and admins).
pub async fn page(
    state: &AppState,
    actor: &Actor,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> ServiceResult<AuditLog> {
    actor.require(Permission::AuditRead)?;
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ServiceError::invalid(
            "limit",
            "out_of_range",
            "`limit` must be between 1 and 200.",
        ));
    }
    let mut entries = state
        .store
        .audit_page(&actor.account.id, limit + 1, starting_after)
        .await?;
    let has_more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    let names: HashMap<String, String> = state
        .store
        .users_of_account(&actor.account.id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let data = entries
        .into_iter()
        .map(|e| {
            Ok(AuditLogEntry {
                action: stored_action(&e.id, &e.action)?,
                actor: e.actor_user_id.map(|id| wire::Actor {
                    name: names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| "A former user".into()),
                    id,
                }),
                id: e.id,
                at: e.at,
                details: e.details,
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(AuditLog { data, has_more })
}

/// The action of a stored entry. The store keeps the dotted name as text;
/// one that is no [`AuditAction`] is a bug in whatever wrote it, so it is a
/// failure naming the entry and the name (logged, never sent), not a guess.
fn stored_action(entry_id: &str, name: &str) -> ServiceResult<AuditAction> {
    name.parse::<AuditAction>()
        .map_err(|unknown| anyhow::anyhow!("audit entry {entry_id}: {unknown}").into())
}
