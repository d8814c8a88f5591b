//! The permission matrix, proven: every route the OpenAPI document lists is
//! called as each kind of user, and each answer must match the rule for
//! that route. A new route without a rule here fails the test.

use crate::helpers::{spawn_app, Client, TestApp};
use billing_domain::Permission;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Signing in: a wrong password is 401 for anyone (429 once the same
    /// e-mail was tried too often from this client).
    SignIn,
    /// Any signed-in user.
    Session,
    /// Signed-in users holding the permission; 403 for others.
    Perm(Permission),
    /// As `Perm`, on an object of our account: another account's user gets 404.
    PermOnObject(Permission),
    /// The vendor API: no customer session reaches it, and with no vendor
    /// key configured (as here) it answers 404 to everyone.
    Vendor,
}

fn rule(method: &str, path: &str) -> Option<Rule> {
    use Permission::*;
    use Rule::*;
    Some(match (method, path) {
        ("get", "/api/health") | ("get", "/api/openapi.json") => Public,
        ("get", "/api/catalog") => Public,
        ("post", "/api/test/accounts") => Public,
        ("post", "/api/test/accounts/{account_id}/clock") => Public,
        ("get", "/api/test/accounts/{account_id}/emails") => Public,
        ("get", "/api/test/accounts/{account_id}/gateway-charges") => Public,
        ("post", "/api/test/withdrawals/{id}/decision") => Public,
        ("get", "/api/ledger") | ("get", "/api/balance/withdrawals") => Perm(BillingRead),
        ("post", "/api/session") => SignIn,
        ("post", "/api/password-resets")
        | ("get", "/api/password-resets/{token}")
        | ("post", "/api/password-resets/{token}") => Public,
        ("get", "/api/session") | ("delete", "/api/session") => Session,
        ("post", "/api/session/password") | ("delete", "/api/session/others") => Session,
        ("get", "/api/account") | ("get", "/api/account/billing-contacts") => Session,
        ("patch", "/api/account/policy") => Perm(SetPolicy),
        ("get", "/api/dev/mailbox") => Session,
        ("get", "/api/billing/overview") => Perm(BillingRead),
        ("get", "/api/invoices") => Perm(BillingRead),
        ("get", "/api/account/billing-details") => Perm(BillingRead),
        ("put", "/api/account/billing-details") => Perm(BillingManage),
        ("get", "/api/credit-notes") => Perm(BillingRead),
        ("get", "/api/credit-notes/{id}") | ("get", "/api/credit-notes/{id}/pdf") => {
            PermOnObject(BillingRead)
        }
        ("get", "/api/invoices/{id}") | ("get", "/api/invoices/{id}/pdf") => {
            PermOnObject(BillingRead)
        }
        ("post", "/api/gateway/tokens") | ("post", "/api/payment-methods") => Perm(BillingManage),
        ("post", "/api/subscription/preview") => Perm(BillingRead),
        ("post", "/api/subscription/changes") => Perm(BillingManage),
        ("delete", "/api/subscription/pending-changes/{kind}") => Perm(BillingManage),
        ("get", "/api/members") => Perm(MembersRead),
        ("patch", "/api/members/{id}") => PermOnObject(MembersGrantBilling),
        ("get", "/api/audit-log") => Perm(AuditRead),
        ("post", "/api/access-requests") | ("get", "/api/access-requests/mine") => Session,
        ("get", "/api/access-requests") => Perm(MembersGrantBilling),
        ("post", "/api/access-requests/{id}/grant")
        | ("post", "/api/access-requests/{id}/decline") => PermOnObject(MembersGrantBilling),
        ("get", "/api/cancel-flow") | ("post", "/api/cancel-flow/sessions") => Perm(AccountCancel),
        ("patch", "/api/cancel-flow/sessions/{id}")
        | ("post", "/api/cancel-flow/sessions/{id}/accept") => PermOnObject(AccountCancel),
        ("post", "/api/cancel-flow/meeting-requests") => Perm(AccountCancel),
        ("post", "/api/subscription/cancel") | ("post", "/api/subscription/pause") => {
            Perm(AccountCancel)
        }
        ("delete", "/api/subscription/cancel") | ("post", "/api/subscription/resume") => {
            Perm(BillingManage)
        }
        ("get", "/api/refunds")
        | ("post", "/api/refunds")
        | ("post", "/api/balance/withdrawals") => Perm(Refund),
        ("post", "/api/usage") => Session,
        (_, p) if p.starts_with("/api/vendor/") => Vendor,
        _ => return None,
    })
}

/// A kind of caller.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    OtherOwner,
    Member,
    BillingRead,
    BillingManage,
    Admin,
    Owner,
}

fn holds(who: Who, p: Permission) -> bool {
    use Permission::*;
    match who {
        Who::Anonymous => false,
        Who::Owner | Who::OtherOwner => true,
        // Refund, SetPolicy and MembersGrantBilling are the owner's alone.
        Who::Admin => matches!(
            p,
            BillingRead | BillingManage | AccountCancel | MembersRead | AuditRead
        ),
        Who::BillingManage => matches!(p, BillingRead | BillingManage),
        Who::BillingRead => p == BillingRead,
        Who::Member => false,
    }
}

/// Ids in our account to put in paths.
struct Ids {
    account: String,
    member: String,
    invoice: String,
    credit_note: String,
    request: String,
    cancel_session: String,
}

fn fill(path: &str, ids: &Ids) -> String {
    let object = if path.starts_with("/api/members") {
        &ids.member
    } else if path.starts_with("/api/invoices") {
        &ids.invoice
    } else if path.starts_with("/api/credit-notes") {
        &ids.credit_note
    } else if path.starts_with("/api/cancel-flow") {
        &ids.cancel_session
    } else {
        &ids.request
    };
    path.replace("{account_id}", &ids.account)
        .replace("{kind}", "seats")
        .replace("{id}", object)
}

fn body_for(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("post", "/api/session") => json!({ "email": "nobody@example.test", "password": "wrong" }),
        ("post", "/api/test/accounts/{account_id}/clock") => json!({ "advance_seconds": 1 }),
        ("patch", "/api/account/policy") => json!({ "cancel_requires_owner": false }),
        ("put", "/api/account/billing-details") => json!({
            "legal_name": "Matrix Inc.", "email": "ap@matrix.test",
            "address": { "line1": "1 Main St", "city": "Springfield", "postal_code": "1", "country": "US" }
        }),
        ("post", "/api/gateway/tokens") => {
            json!({ "number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123" })
        }
        ("post", "/api/payment-methods") => json!({ "token": "tok_unknown" }),
        ("post", "/api/subscription/preview") | ("post", "/api/subscription/changes") => {
            json!({ "seats": 13 })
        }
        ("patch", "/api/members/{id}") => json!({ "billing_access": "read" }),
        ("post", "/api/access-requests") => json!({ "note": "matrix" }),
        ("post", "/api/access-requests/{id}/grant") => json!({ "billing_access": "read" }),
        ("patch", "/api/cancel-flow/sessions/{id}") => json!({ "reason": "too_expensive" }),
        ("post", "/api/cancel-flow/sessions/{id}/accept") => json!({ "offer_id": "meeting" }),
        ("post", "/api/usage") => json!({ "kind": "chats", "quantity": 1 }),
        ("post", _) | ("patch", _) => json!({}),
        _ => return None,
    })
}

async fn call(client: &Client, method: &str, path: &str, body: Option<Value>) -> StatusCode {
    let req = match method {
        "get" => client.get(path),
        "post" => client.post(path),
        "patch" => client.patch(path),
        "put" => client
            .put(path)
            .header("idempotency-key", crate::helpers::fresh_key()),
        "delete" => client.delete(path),
        other => panic!("no helper for {other}"),
    };
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap().status()
}

fn check(who: Who, rule: Rule, status: StatusCode) -> Result<(), String> {
    let authorized = !matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    );
    let ok = match rule {
        Rule::Vendor => status == StatusCode::NOT_FOUND,
        Rule::Public => authorized,
        Rule::SignIn => {
            status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS
        }
        Rule::Session if who == Who::Anonymous => status == StatusCode::UNAUTHORIZED,
        Rule::Session => authorized,
        Rule::Perm(_) | Rule::PermOnObject(_) if who == Who::Anonymous => {
            status == StatusCode::UNAUTHORIZED
        }
        Rule::PermOnObject(_) if who == Who::OtherOwner => status == StatusCode::NOT_FOUND,
        Rule::Perm(p) | Rule::PermOnObject(p) if holds(who, p) => authorized,
        Rule::Perm(_) | Rule::PermOnObject(_) => status == StatusCode::FORBIDDEN,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{who:?} under {rule:?} got {status}"))
    }
}

async fn client_for(
    app: &TestApp,
    who: Who,
    ours: &billing_domain::wire::TestAccount,
    theirs: &billing_domain::wire::TestAccount,
) -> Client {
    match who {
        Who::Anonymous => app.client(),
        Who::OtherOwner => app.signed_in(theirs, "owner").await,
        Who::Member | Who::BillingManage => app.signed_in(ours, "member").await,
        Who::BillingRead => app.signed_in(ours, "billing_member").await,
        Who::Admin => app.signed_in(ours, "admin").await,
        Who::Owner => app.signed_in(ours, "owner").await,
    }
}

#[tokio::test]
async fn every_route_answers_each_kind_of_user_as_its_rule_says() {
    let app = spawn_app().await;
    let ours = app.test_account().await;
    let theirs = app.test_account().await;
    let owner = app.signed_in(&ours, "owner").await;
    let member_id = app.signed_in(&ours, "member").await.session().await.user.id;
    let invoice = owner.invoices().await[0].id.clone();
    // A downgrade credits unused time: a credit note to read.
    let version = owner.overview().await.version;
    let res = owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{version}\""))
        .json(&json!({ "plan": "essentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, notes) = owner.get_json("/api/credit-notes").await;
    let credit_note = notes["data"][0]["id"].as_str().unwrap().to_string();
    // The billing member (read) asks for more access: a request to decide.
    let reader = app.signed_in(&ours, "billing_member").await;
    let res = reader
        .post("/api/access-requests")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let request = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = owner
        .post("/api/cancel-flow/sessions")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let cancel_session = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ids = Ids {
        account: ours.account_id.clone(),
        member: member_id.clone(),
        invoice,
        credit_note,
        request,
        cancel_session,
    };

    let (_, doc) = app.client().get_json("/api/openapi.json").await;
    let mut routes: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .filter(|(m, _)| ["get", "post", "patch", "put", "delete"].contains(&m.as_str()))
        .collect();
    // Signing out ends each caller's session: do it last.
    routes.sort_by_key(|(m, p)| (m == "delete" && p == "/api/session", p.clone(), m.clone()));
    let missing: Vec<String> = routes
        .iter()
        .filter(|(m, p)| rule(m, p).is_none())
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a permission rule: {missing:?}"
    );
    assert!(
        routes.len() >= 28,
        "the document lists {} routes",
        routes.len()
    );

    let mut failures = Vec::new();
    let order = [
        Who::Anonymous,
        Who::OtherOwner,
        Who::Member,
        Who::BillingRead,
        Who::BillingManage,
        Who::Admin,
        Who::Owner,
    ];
    for who in order {
        if who == Who::BillingManage {
            let res = owner
                .patch(&format!("/api/members/{member_id}"))
                .json(&json!({ "billing_access": "manage" }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
        let client = client_for(&app, who, &ours, &theirs).await;
        for (method, path) in &routes {
            let rule = rule(method, path).unwrap();
            let status = call(&client, method, &fill(path, &ids), body_for(method, path)).await;
            if let Err(e) = check(who, rule, status) {
                failures.push(format!("{} {path}: {e}", method.to_uppercase()));
            }
            // A caller without the right learns nothing from body errors:
            // a malformed body still gets 401, 403 or 404.
            let denied = matches!(
                status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            );
            if denied && body_for(method, path).is_some() && !matches!(rule, Rule::SignIn) {
                let bogus = Some(json!({ "not_a_field": true }));
                let again = call(&client, method, &fill(path, &ids), bogus).await;
                if again != status {
                    failures.push(format!(
                        "{} {path}: {who:?} with a malformed body got {again}, not {status}",
                        method.to_uppercase()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_owner_only_cancel_policy_takes_cancel_away_from_admins_at_once() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let admin = app.signed_in(&account, "admin").await;
    assert!(admin
        .session()
        .await
        .permissions
        .contains(&Permission::AccountCancel));
    let res = owner
        .patch("/api/account/policy")
        .json(&json!({ "cancel_requires_owner": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!admin
        .session()
        .await
        .permissions
        .contains(&Permission::AccountCancel));
    assert!(owner
        .session()
        .await
        .permissions
        .contains(&Permission::AccountCancel));
    let (_, account_info) = admin.get_json("/api/account").await;
    assert_eq!(account_info["cancel_requires_owner"], true);
    let res = admin
        .patch("/api/account/policy")
        .json(&json!({ "cancel_requires_owner": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let log = app
        .state
        .store
        .audit_log(&account.account_id, 5)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "account.policy_changed"));
}
