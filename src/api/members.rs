//! The account's people and policies: members and their billing access,
//! access requests, and the owner-only cancel policy.

use super::{answer, encode, get_json, mutating, post_json, ApiError, Auth};
use billing_domain::wire::{
    AccessRequest, AccessRequestList, AccountInfo, CreateAccessRequest, GrantAccessRequest, Member,
    MemberList, UpdateMemberRequest, UpdatePolicyRequest,
};
use billing_domain::BillingAccess;
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// `GET /api/members`: the account's users with role and billing access
/// (owner and admins; 403 otherwise).
pub async fn members() -> Result<MemberList, ApiError> {
    get_json("/api/members").await
}

/// `PATCH /api/members/{id}`: sets a member's billing access (owner only).
/// Owners and admins are refused with a 400 `not_a_member`.
pub async fn set_billing_access(id: &str, access: BillingAccess) -> Result<Member, ApiError> {
    let path = format!("/api/members/{}", encode(id));
    patch_json(
        &path,
        &UpdateMemberRequest {
            billing_access: access,
        },
    )
    .await
}

/// `GET /api/account`: the account and its policies.
pub async fn account() -> Result<AccountInfo, ApiError> {
    get_json("/api/account").await
}

/// `PATCH /api/account/policy`: turns owner-only cancelling on or off
/// (owner only).
pub async fn set_cancel_requires_owner(on: bool) -> Result<AccountInfo, ApiError> {
    patch_json(
        "/api/account/policy",
        &UpdatePolicyRequest {
            cancel_requires_owner: on,
        },
    )
    .await
}

/// `POST /api/access-requests`: asks the owner for billing access. A second
/// request while one is open is a 409 `access_request_pending`; a note over
/// 500 characters a 400 about `note`.
pub async fn request_access(note: Option<String>) -> Result<AccessRequest, ApiError> {
    post_json("/api/access-requests", &CreateAccessRequest { note }).await
}

/// `GET /api/access-requests/mine`: the caller's open request, if any.
pub async fn my_access_request() -> Result<AccessRequestList, ApiError> {
    get_json("/api/access-requests/mine").await
}

/// `GET /api/access-requests`: the account's open requests (owner only).
pub async fn access_requests() -> Result<AccessRequestList, ApiError> {
    get_json("/api/access-requests").await
}

/// `POST /api/access-requests/{id}/grant`: grants `read` or `manage` (owner
/// only); 409 `already_decided` when someone decided it first.
pub async fn grant_access_request(
    id: &str,
    access: BillingAccess,
) -> Result<AccessRequest, ApiError> {
    let path = format!("/api/access-requests/{}/grant", encode(id));
    post_json(
        &path,
        &GrantAccessRequest {
            billing_access: access,
        },
    )
    .await
}

/// `POST /api/access-requests/{id}/decline`: declines the request (owner
/// only); 409 `already_decided` when someone decided it first.
pub async fn decline_access_request(id: &str) -> Result<AccessRequest, ApiError> {
    let path = format!("/api/access-requests/{}/decline", encode(id));
    let request = mutating(Request::post(&path)).build();
    answer(request, Auth::Session).await?.json()
}

async fn patch_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let request = mutating(Request::patch(path)).json(body);
    answer(request, Auth::Session).await?.json()
}
