//! Billing access requests: a member asks, the owner grants or declines.

use crate::ids::new_id;
use crate::mail::{self, templates};
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{AccessRequestRecord, StoreError, Write};
use billing_domain::audit::AuditAction;
use billing_domain::wire::{
    AccessRequest, AccessRequestList, AccessRequestStatus, CreateAccessRequest,
};
use billing_domain::{BillingAccess, Permission, Role};
use serde_json::json;
use std::collections::HashMap;

/// The longest note a member may send.
const MAX_NOTE: usize = 500;

fn status_of(s: &str) -> AccessRequestStatus {
    match s {
        "granted" => AccessRequestStatus::Granted,
        "declined" => AccessRequestStatus::Declined,
        _ => AccessRequestStatus::Open,
    }
}

fn to_wire(r: AccessRequestRecord, names: &HashMap<String, (String, String)>) -> AccessRequest {
    let (user_name, user_email) = names.get(&r.user_id).cloned().unwrap_or_default();
    AccessRequest {
        id: r.id,
        user_id: r.user_id,
        user_name,
        user_email,
        note: r.note,
        status: status_of(&r.status),
        granted: r.granted,
        created_at: r.created_at,
        decided_at: r.decided_at,
    }
}

async fn names(
    state: &AppState,
    account_id: &str,
) -> ServiceResult<HashMap<String, (String, String)>> {
    Ok(state
        .store
        .users_of_account(account_id)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.name, u.email)))
        .collect())
}

/// Asks the owner for billing access (members without `billing:manage`).
/// One open request per member: a second one says it is pending.
pub async fn create(
    state: &AppState,
    current: &Actor,
    body: CreateAccessRequest,
) -> ServiceResult<AccessRequest> {
    // The body's shape first, as its schema says; then the state.
    let note = body.note.unwrap_or_default();
    if note.chars().count() > MAX_NOTE {
        return Err(ServiceError::invalid(
            "note",
            "too_long",
            format!("The note can be at most {MAX_NOTE} characters."),
        ));
    }
    if current.permissions.contains(Permission::BillingManage) {
        return Err(ServiceError::Invalid {
            code: "already_has_access",
            message: "You already manage billing.".into(),
            param: None,
        });
    }
    let pending = || ServiceError::Conflict {
        code: "access_request_pending",
        message: "You already asked for billing access; the request is pending with the owner."
            .into(),
    };
    if state
        .store
        .open_access_request(&current.user.id)
        .await?
        .is_some()
    {
        return Err(pending());
    }
    let now = state.now_for(&current.account);
    let owner = mail::owner_of(state, &current.account.id).await?;
    let record = AccessRequestRecord {
        id: new_id("areq"),
        account_id: current.account.id.clone(),
        user_id: current.user.id.clone(),
        note: note.trim().to_string(),
        status: "open".into(),
        granted: None,
        created_at: now,
        decided_at: None,
        decided_by: None,
    };
    let draft = templates::access_requested(
        &current.account,
        &current.user.name,
        &current.user.email,
        &record.note,
    );
    let result = state
        .store
        .commit(vec![
            Write::InsertAccessRequest(record.clone()),
            audit(
                &current.account.id,
                Some(&current.user.id),
                AuditAction::MemberAccessRequested,
                json!({ "note": record.note }),
                now,
            ),
            mail::to_user(&current.account.id, &owner, &draft, now),
        ])
        .await;
    match result {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(pending()),
        Err(e) => return Err(e.into()),
    }
    let names = names(state, &current.account.id).await?;
    Ok(to_wire(record, &names))
}

/// The account's open access requests (owner).
pub async fn list_open(state: &AppState, current: &Actor) -> ServiceResult<AccessRequestList> {
    current.require(Permission::MembersGrantBilling)?;
    let names = names(state, &current.account.id).await?;
    let data = state
        .store
        .access_requests(&current.account.id, "open")
        .await?
        .into_iter()
        .map(|r| to_wire(r, &names))
        .collect();
    Ok(AccessRequestList { data })
}

/// The signed-in user's own pending request, if any.
pub async fn mine(state: &AppState, current: &Actor) -> ServiceResult<AccessRequestList> {
    let names = names(state, &current.account.id).await?;
    let data = state
        .store
        .open_access_request(&current.user.id)
        .await?
        .into_iter()
        .map(|r| to_wire(r, &names))
        .collect();
    Ok(AccessRequestList { data })
}

/// The request, if it is in the caller's account (else 404) and the caller
/// may decide it (else 403).
pub async fn decidable(
    state: &AppState,
    current: &Actor,
    id: &str,
) -> ServiceResult<AccessRequestRecord> {
    let request = state
        .store
        .access_request(id)
        .await?
        .filter(|r| r.account_id == current.account.id)
        .ok_or(ServiceError::NotFound("access request"))?;
    current.require(Permission::MembersGrantBilling)?;
    Ok(request)
}

/// Grants the request at `granted` (`read` or `manage`) or, with `None`,
/// declines it; the member is e-mailed either way.
pub async fn decide(
    state: &AppState,
    current: &Actor,
    id: &str,
    granted: Option<BillingAccess>,
) -> ServiceResult<AccessRequest> {
    let request = decidable(state, current, id).await?;
    if granted == Some(BillingAccess::None) {
        return Err(ServiceError::invalid(
            "billing_access",
            "invalid_level",
            "Grant `read` or `manage`, or decline the request.",
        ));
    }
    if request.status != "open" {
        return Err(ServiceError::Conflict {
            code: "already_decided",
            message: "This request was already decided.".into(),
        });
    }
    let member = state
        .store
        .user(&request.user_id)
        .await?
        .filter(|u| u.active && u.role == Role::Member)
        .ok_or(ServiceError::NotFound("member"))?;
    let now = state.now_for(&current.account);
    let status = if granted.is_some() {
        "granted"
    } else {
        "declined"
    };
    let mut writes = vec![Write::DecideAccessRequest {
        id: request.id.clone(),
        status: status.into(),
        granted,
        decided_at: now,
        decided_by: current.user.id.clone(),
    }];
    if let Some(level) = granted {
        writes.push(Write::SetBillingAccess {
            user_id: member.id.clone(),
            access: level,
        });
    }
    writes.push(audit(
        &current.account.id,
        Some(&current.user.id),
        if granted.is_some() { AuditAction::MemberAccessRequestGranted } else { AuditAction::MemberAccessRequestDeclined },
        json!({ "user_id": member.id, "user_name": member.name, "from": member.billing_access, "to": granted }),
        now,
    ));
    let level_text = granted.map(|g| {
        if g == BillingAccess::Manage {
            "manage"
        } else {
            "read"
        }
    });
    writes.push(mail::to_user(
        &current.account.id,
        &member,
        &templates::access_decided(&current.account, level_text),
        now,
    ));
    match state.store.commit(writes).await {
        Ok(()) => {}
        Err(StoreError::AlreadyDone(_)) => {
            return Err(ServiceError::Conflict {
                code: "already_decided",
                message: "This request was already decided.".into(),
            })
        }
        Err(e) => return Err(e.into()),
    }
    let decided = state
        .store
        .access_request(id)
        .await?
        .ok_or(ServiceError::NotFound("access request"))?;
    let names = names(state, &current.account.id).await?;
    Ok(to_wire(decided, &names))
}
