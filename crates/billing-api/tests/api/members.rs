//! The account's users and billing-access grants.

use crate::helpers::{expect_error, spawn_app};
use billing_domain::wire::{Member, MemberList};
use billing_domain::BillingAccess;
use reqwest::StatusCode;
use serde_json::json;

async fn members_of(client: &crate::helpers::Client) -> Vec<Member> {
    let res = client.get("/api/members").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<MemberList>().await.unwrap().data
}

#[tokio::test]
async fn the_owner_and_admins_list_members_and_others_are_refused() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    for role in ["owner", "admin"] {
        let client = app.signed_in(&account, role).await;
        let members = members_of(&client).await;
        assert_eq!(members.len(), 4, "{role}");
        assert_eq!(members[0].role.as_str(), "owner");
    }
    for role in ["billing_member", "member"] {
        let client = app.signed_in(&account, role).await;
        let res = client.get("/api/members").send().await.unwrap();
        expect_error(res, StatusCode::FORBIDDEN).await;
    }
}

#[tokio::test]
async fn a_grant_takes_effect_on_the_members_very_next_request() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let member = app.signed_in(&account, "member").await;
    let member_id = member.session().await.user.id;
    assert_eq!(
        member
            .get("/api/billing/overview")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    let res = owner
        .patch(&format!("/api/members/{member_id}"))
        .json(&json!({ "billing_access": "read" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Member = res.json().await.unwrap();
    assert_eq!(updated.billing_access, BillingAccess::Read);
    // Same session, next request: now allowed.
    assert_eq!(
        member
            .get("/api/billing/overview")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // Revoked: refused again at once.
    let res = owner
        .patch(&format!("/api/members/{member_id}"))
        .json(&json!({ "billing_access": "none" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        member
            .get("/api/billing/overview")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn only_the_owner_grants_billing_access() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let member_id = app
        .signed_in(&account, "member")
        .await
        .session()
        .await
        .user
        .id;
    for role in ["admin", "billing_member", "member"] {
        let client = app.signed_in(&account, role).await;
        let res = client
            .patch(&format!("/api/members/{member_id}"))
            .json(&json!({ "billing_access": "manage" }))
            .send()
            .await
            .unwrap();
        expect_error(res, StatusCode::FORBIDDEN).await;
    }
    let owner = app.signed_in(&account, "owner").await;
    let listed = members_of(&owner).await;
    let member = listed.iter().find(|m| m.id == member_id).unwrap();
    assert_eq!(member.billing_access, BillingAccess::None);
}

#[tokio::test]
async fn another_accounts_user_is_not_found_rather_than_forbidden() {
    let app = spawn_app().await;
    let ours = app.test_account().await;
    let theirs = app.test_account().await;
    let their_member = app
        .signed_in(&theirs, "member")
        .await
        .session()
        .await
        .user
        .id;
    let owner = app.signed_in(&ours, "owner").await;
    let res = owner
        .patch(&format!("/api/members/{their_member}"))
        .json(&json!({ "billing_access": "manage" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::NOT_FOUND).await;
    assert_eq!(body.error.code, "not_found");
    // Even a user who may not grant anything gets 404 for a foreign id.
    let member = app.signed_in(&ours, "member").await;
    let res = member
        .patch(&format!("/api/members/{their_member}"))
        .json(&json!({ "billing_access": "manage" }))
        .send()
        .await
        .unwrap();
    expect_error(res, StatusCode::NOT_FOUND).await;
    // And nothing changed over there.
    let their_owner = app.signed_in(&theirs, "owner").await;
    let m = members_of(&their_owner)
        .await
        .into_iter()
        .find(|m| m.id == their_member)
        .unwrap();
    assert_eq!(m.billing_access, BillingAccess::None);
}

#[tokio::test]
async fn bad_levels_and_non_members_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let session = owner.session().await;
    let member_id = app
        .signed_in(&account, "member")
        .await
        .session()
        .await
        .user
        .id;
    let res = owner
        .patch(&format!("/api/members/{member_id}"))
        .json(&json!({ "billing_access": "admin" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(body.error.param.as_deref(), Some("billing_access"));
    let res = owner
        .patch(&format!("/api/members/{}", session.user.id))
        .json(&json!({ "billing_access": "read" }))
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(body.error.code, "not_a_member");
}
