//! Invoices: list, paging, detail, PDF and who may see them.

use crate::helpers::{expect_error, spawn_app, DAY};
use billing_domain::wire::{Invoice, InvoiceList};
use reqwest::StatusCode;

#[tokio::test]
async fn the_billing_member_lists_reads_and_downloads_invoices() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    app.advance(&account, 35 * DAY).await;
    let reader = app.signed_in(&account, "billing_member").await;
    let (status, body) = reader.get_json("/api/invoices").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["has_more"], false);
    let first = &body["data"][0];
    assert_eq!(first["status"], "paid");
    assert_eq!(
        first["total"],
        serde_json::json!({ "amount": 166800, "currency": "USD" })
    );
    assert!(first["lines"].as_array().is_some_and(|l| !l.is_empty()));
    let id = first["id"].as_str().unwrap();

    let res = reader
        .get(&format!("/api/invoices/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let inv: Invoice = res.json().await.unwrap();
    assert_eq!(inv.number, "INV-000002");
    let sum: i64 = inv.lines.iter().map(|l| l.amount.amount()).sum();
    assert_eq!(sum, inv.total.amount());

    let res = reader
        .get(&format!("/api/invoices/{id}/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("INV-000002.pdf"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    assert!(bytes.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("(INV-000002)") && text.contains("($1,668.00)"),
        "the PDF shows the number and total"
    );
}

#[tokio::test]
async fn invoices_page_newest_first() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    app.advance(&account, 65 * DAY).await;
    let owner = app.signed_in(&account, "owner").await;
    let (_, page1) = owner.get_json("/api/invoices?limit=2").await;
    let page1: InvoiceList = serde_json::from_value(page1).unwrap();
    assert!(page1.has_more);
    assert_eq!(
        page1
            .data
            .iter()
            .map(|i| i.number.as_str())
            .collect::<Vec<_>>(),
        ["INV-000003", "INV-000002"]
    );
    let after = &page1.data[1].id;
    let (_, page2) = owner
        .get_json(&format!("/api/invoices?limit=2&starting_after={after}"))
        .await;
    let page2: InvoiceList = serde_json::from_value(page2).unwrap();
    assert!(!page2.has_more);
    assert_eq!(
        page2
            .data
            .iter()
            .map(|i| i.number.as_str())
            .collect::<Vec<_>>(),
        ["INV-000001"]
    );
}

#[tokio::test]
async fn bad_paging_parameters_name_the_parameter() {
    let app = spawn_app().await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("page=2", "page"),
    ] {
        let res = owner
            .get(&format!("/api/invoices?{query}"))
            .send()
            .await
            .unwrap();
        let err = expect_error(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(err.error.param.as_deref(), Some(param), "{query}");
    }
}

#[tokio::test]
async fn members_are_refused_and_other_accounts_invoices_are_not_found() {
    let app = spawn_app().await;
    let ours = app.test_account().await;
    let theirs = app.test_account().await;
    let their_owner = app.signed_in(&theirs, "owner").await;
    let their_invoice = their_owner.invoices().await[0].id.clone();

    let member = app.signed_in(&ours, "member").await;
    expect_error(
        member.get("/api/invoices").send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let own = app.signed_in(&ours, "owner").await.invoices().await[0]
        .id
        .clone();
    expect_error(
        member
            .get(&format!("/api/invoices/{own}"))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;

    let owner = app.signed_in(&ours, "owner").await;
    for path in [
        format!("/api/invoices/{their_invoice}"),
        format!("/api/invoices/{their_invoice}/pdf"),
    ] {
        let err = expect_error(
            owner.get(&path).send().await.unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(err.error.code, "not_found");
    }
    // Paging from another account's id shows nothing of theirs.
    let (_, page) = owner
        .get_json(&format!("/api/invoices?starting_after={their_invoice}"))
        .await;
    assert!(page["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_demo_account_has_a_year_of_paid_invoices() {
    let app = crate::helpers::spawn_app_with(billing_api::config::Mode::Dev, true).await;
    let owner = app
        .sign_in(
            "owner@acme.test",
            billing_api::services::seed::DEMO_PASSWORD,
        )
        .await;
    let invoices = owner.invoices().await;
    assert_eq!(invoices.len(), 12);
    assert!(invoices.iter().all(|i| i.status.as_str() == "paid"));
    // Seats grew from 8 to 12 over the year.
    assert_eq!(invoices.last().unwrap().total.amount(), 8 * 13_900);
    assert_eq!(invoices[0].total.amount(), 12 * 13_900);
}
