//! Credit notes (SPEC §12): one for every refund and every credit for
//! unused time, numbered in a sequence of their own across accounts,
//! readable and downloadable like invoices; kept, with invoices, when an
//! account's data is deleted.

use crate::helpers::{expect_error, spawn_app, Client, TestApp, DAY};
use billing_domain::wire::{CreditNote, CreditNoteList, CreditNoteReason, TestAccount};
use reqwest::StatusCode;
use serde_json::json;

async fn credit_notes(client: &Client) -> Vec<CreditNote> {
    let res = client.get("/api/credit-notes").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<CreditNoteList>().await.unwrap().data
}

async fn refund(client: &Client) {
    let res = client
        .post("/api/refunds")
        .json(&json!({ "confirmation": "CONFIRM" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn downgrade(client: &Client) {
    let before = client.overview().await;
    let res = client
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", before.version))
        .json(&json!({ "plan": "essentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Checks the PDF's structure: header, objects where the cross-reference
/// table says, a trailer pointing at the table; returns its text.
pub fn well_formed_pdf(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("an ASCII PDF");
    assert!(text.starts_with("%PDF-1.4\n"), "the header");
    assert!(text.ends_with("%%EOF\n"), "the end marker");
    let start: usize = text
        .rsplit("startxref\n")
        .next()
        .and_then(|rest| rest.lines().next())
        .and_then(|n| n.parse().ok())
        .expect("startxref");
    let xref = &text[start..];
    assert!(
        xref.starts_with("xref\n0 "),
        "startxref points at the table"
    );
    let count: usize = xref.lines().nth(1).unwrap()[2..].parse().unwrap();
    let entries: Vec<&str> = xref.lines().skip(2).take(count).collect();
    assert_eq!(entries[0], "0000000000 65535 f ");
    for (n, entry) in entries.iter().enumerate().skip(1) {
        assert_eq!(entry.len(), 19, "{entry:?}");
        let offset: usize = entry[..10].parse().unwrap();
        assert!(
            text[offset..].starts_with(&format!("{n} 0 obj\n")),
            "object {n} is at {offset}"
        );
    }
    assert!(text.contains(&format!("trailer\n<< /Size {count} /Root 1 0 R >>")));
    text
}

async fn owner_of(app: &TestApp) -> (TestAccount, Client) {
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    (account, owner)
}

#[tokio::test]
async fn a_refund_issues_a_credit_note_against_the_periods_invoice() {
    let app = spawn_app().await;
    let (account, owner) = owner_of(&app).await;
    let invoice = owner.invoices().await.remove(0);
    app.advance(&account, 2 * DAY).await;
    refund(&owner).await;
    let notes = credit_notes(&owner).await;
    assert_eq!(notes.len(), 1);
    let cn = &notes[0];
    assert_eq!(cn.number, "CN-000001");
    assert_eq!(cn.reason, CreditNoteReason::Refund);
    assert_eq!(cn.invoice_id.as_deref(), Some(invoice.id.as_str()));
    assert_eq!(cn.invoice_number.as_deref(), Some(invoice.number.as_str()));
    assert_eq!(cn.total.amount(), 166_800);
    assert_eq!((cn.to_card.amount(), cn.to_balance.amount()), (166_800, 0));
    let lines: i64 = cn.lines.iter().map(|l| l.amount.amount()).sum();
    assert_eq!(lines, cn.total.amount());
    assert_eq!(cn.seller.legal_name, "Helpdesk Software Inc.");
    assert_eq!(cn.buyer, *invoice.buyer.as_ref().unwrap());

    // One credit note, read by id and as a PDF.
    let (status, one) = owner
        .get_json(&format!("/api/credit-notes/{}", cn.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["number"], "CN-000001");
    let res = owner
        .get(&format!("/api/credit-notes/{}/pdf", cn.id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("CN-000001.pdf"));
    let text = well_formed_pdf(&res.bytes().await.unwrap());
    assert!(text.contains("(CN-000001)"));
    assert!(text.contains(&format!("({})", cn.buyer.legal_name)));
    assert!(text.contains(&format!("(Credits invoice {})", invoice.number)));
    assert!(text.contains("($1,668.00)"));
}

#[tokio::test]
async fn a_partial_refund_credits_the_balance_on_its_credit_note() {
    let app = spawn_app().await;
    let (account, owner) = owner_of(&app).await;
    let member = app.signed_in(&account, "member").await;
    let res = member
        .post("/api/usage")
        .json(&json!({ "kind": "chats", "quantity": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.advance(&account, 10 * DAY).await;
    let (_, quote) = owner.get_json("/api/refunds").await;
    refund(&owner).await;
    let cn = credit_notes(&owner).await.remove(0);
    assert_eq!(Some(cn.total.amount()), quote["amount"]["amount"].as_i64());
    assert_eq!(cn.to_card.amount(), 0);
    assert_eq!(cn.to_balance, cn.total);
}

#[tokio::test]
async fn a_downgrade_that_credits_unused_time_issues_a_credit_note() {
    let app = spawn_app().await;
    let (account, owner) = owner_of(&app).await;
    app.advance(&account, 5 * DAY).await;
    let before = owner.overview().await;
    let res = owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", before.version))
        .json(&json!({ "plan": "essentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let change = &owner.invoices().await[0];
    assert!(change.credit_created.amount() > 0, "{change:?}");
    let notes = credit_notes(&owner).await;
    assert_eq!(notes.len(), 1);
    let cn = &notes[0];
    assert_eq!(cn.reason, CreditNoteReason::UnusedTime);
    assert_eq!(cn.invoice_id.as_deref(), Some(change.id.as_str()));
    assert_eq!(cn.total, change.credit_created);
    assert_eq!(cn.to_balance, change.credit_created);
    assert_eq!(owner.overview().await.credit_balance, change.credit_created);
    // An upgrade credits nothing and issues none.
    let before = owner.overview().await;
    let res = owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", before.version))
        .json(&json!({ "plan": "business" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(credit_notes(&owner).await.len(), 1);
}

#[tokio::test]
async fn numbers_run_across_accounts_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let (a, owner_a) = owner_of(&app).await;
    let (b, owner_b) = owner_of(&app).await;
    app.advance(&a, 35 * DAY).await;
    app.advance(&b, 35 * DAY).await;
    app.advance(&a, 31 * DAY).await;
    let mut numbers: Vec<String> = owner_a
        .invoices()
        .await
        .into_iter()
        .chain(owner_b.invoices().await)
        .map(|i| i.number)
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=5).map(|n| format!("INV-{n:06}")).collect();
    assert_eq!(numbers, expected);
    let a_numbers: Vec<String> = owner_a
        .invoices()
        .await
        .into_iter()
        .map(|i| i.number)
        .collect();
    assert_eq!(a_numbers, ["INV-000005", "INV-000003", "INV-000001"]);

    refund(&owner_b).await;
    refund(&owner_a).await;
    assert_eq!(credit_notes(&owner_b).await[0].number, "CN-000001");
    assert_eq!(credit_notes(&owner_a).await[0].number, "CN-000002");
}

#[tokio::test]
async fn credit_notes_are_read_as_invoices_are() {
    let app = spawn_app().await;
    let (account, owner) = owner_of(&app).await;
    downgrade(&owner).await;
    let id = credit_notes(&owner).await[0].id.clone();
    let reader = app.signed_in(&account, "billing_member").await;
    assert_eq!(credit_notes(&reader).await.len(), 1);
    let member = app.signed_in(&account, "member").await;
    for path in [
        "/api/credit-notes".to_string(),
        format!("/api/credit-notes/{id}"),
        format!("/api/credit-notes/{id}/pdf"),
    ] {
        expect_error(
            member.get(&path).send().await.unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let (_, stranger) = owner_of(&app).await;
    for path in [
        format!("/api/credit-notes/{id}"),
        format!("/api/credit-notes/{id}/pdf"),
    ] {
        expect_error(
            stranger.get(&path).send().await.unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    assert!(credit_notes(&stranger).await.is_empty());
    let err = expect_error(
        owner.get("/api/credit-notes?limit=0").send().await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err.error.param.as_deref(), Some("limit"));
}

#[tokio::test]
async fn an_invoice_pdf_is_well_formed_with_its_number_and_buyer() {
    let app = spawn_app().await;
    let (_, owner) = owner_of(&app).await;
    let inv = owner.invoices().await.remove(0);
    let res = owner
        .get(&format!("/api/invoices/{}/pdf", inv.id))
        .send()
        .await
        .unwrap();
    let text = well_formed_pdf(&res.bytes().await.unwrap());
    assert!(text.contains(&format!("({})", inv.number)));
    assert!(text.contains(&format!("({})", inv.buyer.as_ref().unwrap().legal_name)));
    assert!(text.contains("(Currency: USD)"));
}

#[tokio::test]
async fn deleting_an_accounts_data_keeps_invoices_and_credit_notes_and_erases_its_people() {
    let app = spawn_app().await;
    let (account, owner) = owner_of(&app).await;
    refund(&owner).await;
    let invoices = owner.invoices().await;
    let notes = credit_notes(&owner).await;
    app.advance(&account, 61 * DAY).await;
    let store = &app.state.store;
    let kept = store.invoices(&account.account_id, 10, None).await.unwrap();
    assert_eq!(kept.len(), invoices.len());
    assert_eq!(kept[0].buyer, invoices[0].buyer, "with its snapshot");
    let kept_notes = store
        .credit_notes(&account.account_id, 10, None)
        .await
        .unwrap();
    assert_eq!(kept_notes.len(), notes.len());
    for user in store.users_of_account(&account.account_id).await.unwrap() {
        assert!(!user.email.contains('@'), "{user:?}");
        assert!(user.password_hash.is_empty());
        assert_eq!(user.name, "Deleted user");
        assert!(store.user_sessions(&user.id).await.unwrap().is_empty());
    }
    // Signing in still says what happened, whatever the password.
    let who = account.user("admin").unwrap();
    let res = app.client().sign_in(&who.email, "not the password").await;
    let err = expect_error(res, StatusCode::FORBIDDEN).await;
    assert_eq!(err.error.code, "account_deleted");
    let res = app.client().sign_in("nobody@nowhere.test", "x").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
