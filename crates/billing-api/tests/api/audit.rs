//! The audit log's actions on the wire: the API records each as an
//! `AuditAction` (never as text), and a stored name that is not one fails loudly (a 500
//! that leaks nothing) rather than reaching the portal as a guess.

use crate::helpers::spawn_app;
use billing_api::store::{AuditEntry, Write};
use billing_domain::wire::AuditLog;
use billing_domain::AuditAction;
use reqwest::StatusCode;
use serde_json::json;

/// Dotted action names written as string literals in the API's source.
fn literal_names() -> Vec<String> {
    let nouns = [
        "account.",
        "balance.",
        "invoice.",
        "member.",
        "payment.",
        "payment_method.",
        "retention.",
        "subscription.",
    ];
    let mut names = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for literal in text.split('"').skip(1).step_by(2) {
                    let dotted = literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                        && literal.matches('.').count() == 1;
                    if dotted && nouns.iter().any(|n| literal.starts_with(n)) {
                        names.push(literal.to_string());
                    }
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_api_names_audit_actions_only_through_the_enum() {
    // Every audit line is written with an `AuditAction`; a dotted name typed
    // as text in the API would be a second copy of the fact.
    let names = literal_names();
    let actions: Vec<&String> = names
        .iter()
        .filter(|n| AuditAction::parse(n).is_some())
        .collect();
    assert!(
        actions.is_empty(),
        "audit actions written as text: {actions:?}"
    );
}

#[tokio::test]
async fn the_audit_log_carries_actions_by_their_dotted_names() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let (status, raw) = owner.get_json("/api/audit-log").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(raw["data"][0]["action"], "subscription.created");
    let log: AuditLog = serde_json::from_value(raw).unwrap();
    assert_eq!(log.data[0].action, AuditAction::SubscriptionCreated);
}

#[tokio::test]
async fn an_unknown_stored_action_is_a_500_that_leaks_nothing() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    app.state
        .store
        .commit(vec![Write::Audit(AuditEntry {
            id: "aud_unknown".into(),
            account_id: account.account_id.clone(),
            actor_user_id: None,
            action: "widget.polished".into(),
            details: json!({}),
            at: chrono::Utc::now(),
        })])
        .await
        .unwrap();
    let (status, body) = owner.get_json("/api/audit-log").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.to_string().contains("widget.polished"), "{body}");
    assert!(body["error"]["message"].is_string());
}
