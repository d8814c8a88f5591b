//! The buyer's billing details (SPEC §12): defaults, changes, validation,
//! who may read and change them, the snapshot on each invoice, and where
//! billing e-mails go.

use crate::helpers::{expect_error, spawn_app, Client, DAY};
use billing_domain::wire::{BillingDetails, Invoice};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PATH: &str = "/api/account/billing-details";

fn body() -> Value {
    json!({
        "legal_name": "  Acme Holdings LLC ",
        "email": "ap@acme.test",
        "cc": ["cfo@acme.test", "books@acme.test"],
        "address": {
            "line1": "1 Main St", "line2": "Floor 3", "city": "Springfield",
            "region": "IL", "postal_code": "62701", "country": "US"
        },
        "tax_id": "US12-3456789"
    })
}

async fn put(client: &Client, body: &Value) -> reqwest::Response {
    client
        .put(PATH)
        .header("idempotency-key", crate::helpers::fresh_key())
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn details(client: &Client) -> BillingDetails {
    let res = client.get(PATH).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_defaults_are_the_account_name_and_the_owners_email() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let session = owner.session().await;
    let d = details(&owner).await;
    assert_eq!(d.legal_name, session.account.name);
    assert_eq!(d.email, account.user("owner").unwrap().email);
    assert!(d.cc.is_empty());
    assert_eq!((d.address, d.tax_id), (None, None));
}

#[tokio::test]
async fn an_owner_sets_the_details_once_and_the_change_is_in_the_audit_log() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let res = put(&owner, &body()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set: BillingDetails = res.json().await.unwrap();
    assert_eq!(set.legal_name, "Acme Holdings LLC", "trimmed");
    assert_eq!(set.cc, ["cfo@acme.test", "books@acme.test"]);
    assert_eq!(set.address.as_ref().unwrap().country, "US");
    assert_eq!(details(&owner).await, set);

    // The same details again change nothing and log nothing.
    assert_eq!(put(&owner, &body()).await.status(), StatusCode::OK);
    let (_, log) = owner.get_json("/api/audit-log").await;
    let changes: Vec<&Value> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "account.billing_details_changed")
        .collect();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0]["details"]["to"]["legal_name"],
        "Acme Holdings LLC"
    );
    assert_eq!(
        changes[0]["details"]["from"]["email"],
        account.user("owner").unwrap().email.as_str()
    );

    // A retry under the same key replays the first answer.
    let key = crate::helpers::fresh_key();
    let mut other = body();
    other["legal_name"] = json!("Acme Two");
    for _ in 0..2 {
        let res = owner
            .put(PATH)
            .header("idempotency-key", &key)
            .json(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let (_, log) = owner.get_json("/api/audit-log").await;
    let n = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "account.billing_details_changed")
        .count();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn each_broken_rule_is_a_400_naming_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(put(&owner, &body()).await.status(), StatusCode::OK);
    let before = details(&owner).await;
    type Break = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Break)> = vec![
        (
            "address.country",
            Box::new(|b| b["address"]["country"] = json!("UK")),
        ),
        (
            "address.country",
            Box::new(|b| b["address"]["country"] = json!("us")),
        ),
        (
            "address.country",
            Box::new(|b| b["address"]["country"] = json!(12)),
        ),
        (
            "address.city",
            Box::new(|b| b["address"]["city"] = json!("   ")),
        ),
        (
            "address.postal_code",
            Box::new(|b| b["address"]["postal_code"] = json!("1".repeat(21))),
        ),
        (
            "address.line1",
            Box::new(|b| {
                b["address"].as_object_mut().unwrap().remove("line1");
            }),
        ),
        (
            "address.planet",
            Box::new(|b| b["address"]["planet"] = json!("Mars")),
        ),
        (
            "address",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("address");
            }),
        ),
        (
            "cc[1]",
            Box::new(|b| b["cc"] = json!(["ok@acme.test", "not-an-email"])),
        ),
        ("cc[0]", Box::new(|b| b["cc"] = json!(["AP@acme.test"]))),
        (
            "cc",
            Box::new(|b| {
                b["cc"] = json!((0..11)
                    .map(|i| format!("u{i}@acme.test"))
                    .collect::<Vec<_>>())
            }),
        ),
        ("email", Box::new(|b| b["email"] = json!("acme.test"))),
        ("legal_name", Box::new(|b| b["legal_name"] = json!(" \t "))),
        (
            "legal_name",
            Box::new(|b| b["legal_name"] = json!("x".repeat(201))),
        ),
        ("tax_id", Box::new(|b| b["tax_id"] = json!("t".repeat(51)))),
    ];
    for (param, break_it) in cases {
        let mut b = body();
        b["legal_name"] = json!("Something Else Inc.");
        break_it(&mut b);
        let err = expect_error(put(&owner, &b).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(err.error.param.as_deref(), Some(param), "{b}");
        assert_eq!(details(&owner).await, before, "{param}: nothing changed");
    }
}

#[tokio::test]
async fn reading_needs_billing_access_and_changing_needs_billing_manage() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let reader = app.signed_in(&account, "billing_member").await;
    let member = app.signed_in(&account, "member").await;
    let admin = app.signed_in(&account, "admin").await;
    assert_eq!(
        reader.get(PATH).send().await.unwrap().status(),
        StatusCode::OK
    );
    expect_error(
        member.get(PATH).send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    for who in [&reader, &member] {
        expect_error(put(who, &body()).await, StatusCode::FORBIDDEN).await;
        // A bad body does not tell them more than the missing permission.
        expect_error(put(who, &json!({})).await, StatusCode::FORBIDDEN).await;
    }
    assert_eq!(details(&reader).await.address, None, "nothing changed");
    assert_eq!(put(&admin, &body()).await.status(), StatusCode::OK);
    assert_eq!(details(&reader).await.legal_name, "Acme Holdings LLC");
}

#[tokio::test]
async fn each_invoice_keeps_the_seller_and_buyer_of_its_issue() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let name = owner.session().await.account.name;
    let first: Invoice = owner.invoices().await.remove(0);
    let seller = first.seller.clone().expect("a seller");
    assert_eq!(seller.legal_name, "Helpdesk Software Inc.");
    assert_eq!(seller.tax_id.as_deref(), Some("US-EIN 12-3456789"));
    assert_eq!(first.buyer.as_ref().unwrap().legal_name, name);

    assert_eq!(put(&owner, &body()).await.status(), StatusCode::OK);
    app.advance(&account, 35 * DAY).await;
    let invoices = owner.invoices().await;
    assert_eq!(invoices.len(), 2);
    let renewal = &invoices[0];
    let buyer = renewal.buyer.as_ref().unwrap();
    assert_eq!(buyer.legal_name, "Acme Holdings LLC");
    assert_eq!(buyer.email, "ap@acme.test");
    assert_eq!(buyer.tax_id.as_deref(), Some("US12-3456789"));
    assert_eq!(buyer.address.as_ref().unwrap().city, "Springfield");
    assert_eq!(invoices[1], first, "the first invoice is as it was issued");

    // Details changed after the issue leave issued invoices alone.
    let mut b = body();
    b["legal_name"] = json!("Acme Renamed Ltd");
    assert_eq!(put(&owner, &b).await.status(), StatusCode::OK);
    let again = owner.invoices().await;
    assert_eq!(again[0], *renewal);
    app.advance(&account, 31 * DAY).await;
    let latest = owner.invoices().await;
    assert_eq!(latest.len(), 3);
    assert_eq!(
        latest[0].buyer.as_ref().unwrap().legal_name,
        "Acme Renamed Ltd"
    );

    // The PDF and the page's JSON show them.
    let res = owner
        .get(&format!("/api/invoices/{}/pdf", latest[0].id))
        .send()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
    assert!(text.contains("(Acme Renamed Ltd)"));
    assert!(text.contains("(Helpdesk Software Inc.)"));
    assert!(text.contains("(Tax ID: US12-3456789)"));
}

#[tokio::test]
async fn billing_emails_go_to_the_billing_email_and_the_cc_list_with_the_invoice_attached() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(put(&owner, &body()).await.status(), StatusCode::OK);
    app.advance(&account, 35 * DAY).await;
    let emails = app.emails(&account).await;
    let paid = emails
        .iter()
        .find(|e| e.kind == "invoice_paid")
        .expect("a Paid e-mail");
    assert_eq!(paid.to, "ap@acme.test");
    assert_eq!(paid.cc, ["cfo@acme.test", "books@acme.test"]);
    let invoice = &owner.invoices().await[0];
    assert_eq!(paid.invoice_id.as_deref(), Some(invoice.id.as_str()));
    assert_eq!(paid.attachments.len(), 1);
    let a = &paid.attachments[0];
    assert_eq!(a.filename, format!("{}.pdf", invoice.number));
    assert_eq!(a.content_type, "application/pdf");
    let pdf = owner
        .get(&format!("/api/invoices/{}/pdf", invoice.id))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        a.size,
        pdf.len() as u64,
        "the attachment is the invoice's PDF"
    );
    // Other billing e-mails go the same way; none but Paid carries a file.
    let declined_or_other: Vec<_> = emails.iter().filter(|e| e.kind != "invoice_paid").collect();
    assert!(declined_or_other.iter().all(|e| e.attachments.is_empty()));
}

#[test]
fn a_bad_seller_file_stops_the_start_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(billing_api::config::default_seller_path()).unwrap();
    let path = dir.path().join("seller.toml");
    std::fs::write(&path, good.replace("country = \"US\"", "country = \"XX\"")).unwrap();
    let err = billing_api::startup::load_seller(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("address.country"), "{err}");
    std::fs::write(&path, good.replace("invoice_prefix = \"INV-\"", "")).unwrap();
    let err = format!(
        "{:#}",
        billing_api::startup::load_seller(&path).unwrap_err()
    );
    assert!(err.contains("invoice_prefix"), "{err}");
    let seller =
        billing_api::startup::load_seller(&billing_api::config::default_seller_path()).unwrap();
    assert_eq!(seller.invoice_prefix, "INV-");
}
