//! Card tokenization by the simulated gateway and saving the default card.

use crate::helpers::{expect_error, spawn_app};
use billing_domain::wire::CardToken;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn card_details_are_checked_before_any_gateway_call() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let cases = [
        (
            json!({ "number": "4242424242424241", "exp_month": 12, "exp_year": 2034, "cvc": "123" }),
            "number",
            "incorrect_number",
        ),
        (
            json!({ "number": "3530111333300000", "exp_month": 12, "exp_year": 2034, "cvc": "123" }),
            "number",
            "unsupported_brand",
        ),
        (
            json!({ "number": "4242 4242", "exp_month": 12, "exp_year": 2034, "cvc": "123" }),
            "number",
            "incorrect_number",
        ),
        (
            json!({ "number": "4242424242424242", "exp_month": 13, "exp_year": 2034, "cvc": "123" }),
            "exp_month",
            "invalid_expiry_month",
        ),
        (
            json!({ "number": "4242424242424242", "exp_month": 1, "exp_year": 2020, "cvc": "123" }),
            "exp_year",
            "expired_card",
        ),
        (
            json!({ "number": "378282246310005", "exp_month": 1, "exp_year": 2034, "cvc": "123" }),
            "cvc",
            "invalid_cvc",
        ),
        (
            json!({ "number": "4242424242424242", "exp_month": 1, "exp_year": 2034 }),
            "cvc",
            "missing_field",
        ),
    ];
    for (body, param, code) in cases {
        let res = owner
            .post("/api/gateway/tokens")
            .json(&body)
            .send()
            .await
            .unwrap();
        let err = expect_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            (err.error.param.as_deref(), err.error.code.as_str()),
            (Some(param), code),
            "{body}"
        );
    }
}

#[tokio::test]
async fn tokens_name_the_brand_and_last_four_only() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    for (number, brand, last4) in [
        ("4242 4242 4242 4242", "visa", "4242"),
        ("5555555555554444", "mastercard", "4444"),
        ("378282246310005", "amex", "0005"),
        ("6011111111111117", "discover", "1117"),
    ] {
        let res = owner.tokenize(number).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let raw = res.text().await.unwrap();
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        assert!(
            !raw.contains(&digits),
            "the token answer must not echo the number"
        );
        let token: CardToken = serde_json::from_str(&raw).unwrap();
        assert_eq!((token.brand.as_str(), token.last4.as_str()), (brand, last4));
        assert!(token.token.starts_with("tok_"));
    }
}

#[tokio::test]
async fn declining_cards_are_refused_with_the_reason_and_change_nothing() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    for (number, code, message) in [
        (
            "4000000000000002",
            "card_declined",
            "Your card was declined.",
        ),
        (
            "4000000000009995",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        ("4000000000000069", "expired_card", "Your card has expired."),
        (
            "4000000000000127",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
        ),
    ] {
        let err = expect_error(owner.add_card(number).await, StatusCode::PAYMENT_REQUIRED).await;
        assert_eq!(
            (
                err.error.kind.as_str(),
                err.error.code.as_str(),
                err.error.message.as_str()
            ),
            ("card_error", code, message)
        );
        assert_eq!(
            owner.overview().await.payment_method.unwrap().last4,
            "4242",
            "{number}"
        );
    }
}

#[tokio::test]
async fn a_new_card_becomes_the_default_and_is_audited() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let admin = app.signed_in(&account, "admin").await;
    let res = admin.add_card("378282246310005").await;
    assert_eq!(res.status(), StatusCode::OK);
    let card = admin.overview().await.payment_method.unwrap();
    assert_eq!(
        (
            card.brand.as_str(),
            card.last4.as_str(),
            card.exp_month,
            card.exp_year
        ),
        ("amex", "0005", 12, 2034)
    );
    let entries = app
        .state
        .store
        .audit_log(&account.account_id, 10)
        .await
        .unwrap();
    assert!(entries
        .iter()
        .any(|e| e.action == "payment_method.updated" && e.details["last4"] == "0005"));
}

#[tokio::test]
async fn only_billing_managers_may_add_a_card() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    for role in ["billing_member", "member"] {
        let client = app.signed_in(&account, role).await;
        expect_error(
            client.tokenize("4242424242424242").await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let res = client
            .post("/api/payment-methods")
            .json(&json!({ "token": "tok_x" }))
            .send()
            .await
            .unwrap();
        expect_error(res, StatusCode::FORBIDDEN).await;
    }
    let res = app.client().tokenize("4242424242424242").await;
    expect_error(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn an_unknown_token_names_the_field() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let res = owner
        .post("/api/payment-methods")
        .json(&json!({ "token": "tok_nope" }))
        .send()
        .await
        .unwrap();
    let err = expect_error(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(err.error.param.as_deref(), Some("token"));
}
