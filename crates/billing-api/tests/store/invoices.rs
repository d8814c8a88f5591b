//! Invoices: numbered from one vendor-wide sequence, read with their lines,
//! paged newest first, the open ones oldest first, found by the request
//! that made them; credit notes with a sequence of their own.

use crate::fixtures::{fresh_store, new_account, open_invoice, store_with_account, t};
use billing_api::store::{CreditNoteRecord, StoreError, Write};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::wire::{CreditNoteReason, InvoiceParty};
use billing_domain::Currency;

#[tokio::test]
async fn an_invoice_reads_back_with_its_lines_and_number() {
    let store = store_with_account("acc_a").await;
    let mut inv = open_invoice("acc_a", "inv_1", 3000, 1);
    inv.settlement = Some(r#"{"kind":"change"}"#.into());
    inv.request_key = Some("user_1:key_1".into());
    inv.credit_applied = 200;
    store
        .commit(vec![Write::InsertInvoice(inv.clone())])
        .await
        .unwrap();
    let stored = store.invoice("inv_1").await.unwrap().expect("the invoice");
    assert_eq!(stored.seq, 1);
    assert_eq!(stored.lines, inv.lines);
    assert_eq!(stored.status, InvoiceStatus::Open);
    assert_eq!((stored.total, stored.credit_applied), (3000, 200));
    assert_eq!((stored.period_start, stored.created_at), (Some(t(1)), t(1)));
    assert_eq!(stored.settlement, inv.settlement);
    let by_key = store
        .invoice_by_request_key("user_1:key_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((by_key.id.as_str(), by_key.lines.len()), ("inv_1", 2));
    assert!(store
        .invoice_by_request_key("user_1:key_2")
        .await
        .unwrap()
        .is_none());
    assert!(store.invoice("inv_missing").await.unwrap().is_none());

    // One invoice per request.
    let mut twice = open_invoice("acc_a", "inv_2", 3000, 2);
    twice.request_key = Some("user_1:key_1".into());
    let err = store
        .commit(vec![Write::InsertInvoice(twice)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

#[tokio::test]
async fn numbers_are_one_sequence_across_accounts_with_the_prefix_given() {
    let store = fresh_store().await;
    for acc in ["acc_a", "acc_b"] {
        store.insert_account(&new_account(acc)).await.unwrap();
    }
    let mut b1 = open_invoice("acc_b", "inv_b1", 1000, 1);
    b1.number = "ACME-".into();
    store
        .commit(vec![
            Write::InsertInvoice(open_invoice("acc_a", "inv_a1", 1000, 1)),
            Write::InsertInvoice(b1),
            Write::InsertInvoice(open_invoice("acc_a", "inv_a2", 1000, 2)),
        ])
        .await
        .unwrap();
    let got = |id: &'static str| {
        let store = &store;
        async move {
            let inv = store.invoice(id).await.unwrap().unwrap();
            (inv.seq, inv.number)
        }
    };
    assert_eq!(got("inv_a1").await, (1, "INV-000001".to_string()));
    assert_eq!(got("inv_b1").await, (2, "ACME-000002".to_string()));
    assert_eq!(got("inv_a2").await, (3, "INV-000003".to_string()));
    // Each account's list still reads newest first.
    let ids: Vec<String> = store
        .invoices("acc_a", 10, None)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, ["inv_a2", "inv_a1"]);
}

#[tokio::test]
async fn a_batch_that_fails_gives_its_number_back() {
    let store = fresh_store().await;
    store.insert_account(&new_account("acc_a")).await.unwrap();
    store
        .commit(vec![Write::InsertInvoice(open_invoice(
            "acc_a", "inv_1", 1000, 1,
        ))])
        .await
        .unwrap();
    // The same id twice: the second insert fails, and the batch with it.
    let err = store
        .commit(vec![
            Write::InsertInvoice(open_invoice("acc_a", "inv_2", 1000, 2)),
            Write::InsertInvoice(open_invoice("acc_a", "inv_2", 1000, 2)),
        ])
        .await;
    assert!(err.is_err());
    assert!(store.invoice("inv_2").await.unwrap().is_none());
    store
        .commit(vec![Write::InsertInvoice(open_invoice(
            "acc_a", "inv_3", 1000, 3,
        ))])
        .await
        .unwrap();
    let inv = store.invoice("inv_3").await.unwrap().unwrap();
    assert_eq!((inv.seq, inv.number.as_str()), (2, "INV-000002"), "no gap");
}

#[tokio::test]
async fn concurrent_batches_never_share_a_number_nor_leave_a_gap() {
    let store = fresh_store().await;
    let accounts: Vec<String> = (0..6).map(|i| format!("acc_{i}")).collect();
    for acc in &accounts {
        store.insert_account(&new_account(acc)).await.unwrap();
    }
    let mut tasks = Vec::new();
    for (i, acc) in accounts.iter().enumerate() {
        for n in 0..5 {
            let store = store.store.clone();
            let acc = acc.clone();
            tasks.push(tokio::spawn(async move {
                let id = format!("inv_{i}_{n}");
                store
                    .commit(vec![Write::InsertInvoice(open_invoice(&acc, &id, 100, n))])
                    .await
                    .unwrap();
                store.invoice(&id).await.unwrap().unwrap().seq
            }));
        }
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=30).collect::<Vec<i64>>());
}

#[tokio::test]
async fn credit_notes_have_a_sequence_of_their_own() {
    let store = fresh_store().await;
    for acc in ["acc_a", "acc_b"] {
        store.insert_account(&new_account(acc)).await.unwrap();
    }
    store
        .commit(vec![Write::InsertInvoice(open_invoice(
            "acc_a", "inv_a1", 1000, 1,
        ))])
        .await
        .unwrap();
    let note = |acc: &str, id: &str, invoice: Option<&str>| CreditNoteRecord {
        id: id.into(),
        account_id: acc.into(),
        seq: 0,
        number: "CN-".into(),
        reason: CreditNoteReason::Refund,
        invoice_id: invoice.map(str::to_string),
        currency: Currency::USD,
        total: 700,
        to_card: 500,
        to_balance: 200,
        lines: vec![],
        seller: party("Seller Inc."),
        buyer: party("Buyer LLC"),
        created_at: t(5),
    };
    store
        .commit(vec![
            Write::InsertCreditNote(note("acc_a", "cn_a1", Some("inv_a1"))),
            Write::InsertCreditNote(note("acc_b", "cn_b1", None)),
            Write::InsertCreditNote(note("acc_a", "cn_a2", None)),
        ])
        .await
        .unwrap();
    let a1 = store.credit_note("cn_a1").await.unwrap().unwrap();
    assert_eq!((a1.seq, a1.number.as_str()), (1, "CN-000001"));
    assert_eq!(a1.invoice_id.as_deref(), Some("inv_a1"));
    assert_eq!((a1.total, a1.to_card, a1.to_balance), (700, 500, 200));
    assert_eq!(a1.buyer.legal_name, "Buyer LLC");
    assert_eq!(a1.created_at, t(5));
    let ids: Vec<String> = store
        .credit_notes("acc_a", 10, None)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["cn_a2", "cn_a1"]);
    let after: Vec<String> = store
        .credit_notes("acc_a", 10, Some("cn_a2"))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(after, ["cn_a1"]);
    assert_eq!(store.credit_note("cn_b1").await.unwrap().unwrap().seq, 2);
    // The invoice sequence did not move.
    store
        .commit(vec![Write::InsertInvoice(open_invoice(
            "acc_b", "inv_b1", 1000, 2,
        ))])
        .await
        .unwrap();
    assert_eq!(store.invoice("inv_b1").await.unwrap().unwrap().seq, 2);
}

fn party(name: &str) -> InvoiceParty {
    InvoiceParty {
        legal_name: name.into(),
        email: "x@y.test".into(),
        address: None,
        tax_id: None,
    }
}

#[tokio::test]
async fn invoices_page_newest_first() {
    let store = store_with_account("acc_a").await;
    let writes = (1..=7)
        .map(|i| Write::InsertInvoice(open_invoice("acc_a", &format!("inv_{i}"), 1000 + i, i)))
        .collect();
    store.commit(writes).await.unwrap();
    let ids = |page: Vec<billing_api::store::InvoiceRecord>| {
        page.into_iter().map(|i| i.id).collect::<Vec<_>>()
    };
    let first = store.invoices("acc_a", 3, None).await.unwrap();
    assert_eq!(first[0].lines.len(), 2, "pages carry their lines");
    assert_eq!(ids(first), ["inv_7", "inv_6", "inv_5"]);
    let second = store.invoices("acc_a", 3, Some("inv_5")).await.unwrap();
    assert_eq!(ids(second), ["inv_4", "inv_3", "inv_2"]);
    let last = store.invoices("acc_a", 3, Some("inv_2")).await.unwrap();
    assert_eq!(ids(last), ["inv_1"]);
    assert!(store
        .invoices("acc_a", 3, Some("inv_1"))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .invoices("acc_a", 3, Some("inv_unknown"))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .invoices("acc_other", 3, None)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_declined_purchase_is_not_listed_and_open_invoices_come_oldest_first() {
    let store = store_with_account("acc_a").await;
    let mut declined = open_invoice("acc_a", "inv_2", 1000, 2);
    declined.settlement = Some("{}".into());
    store
        .commit(vec![
            Write::InsertInvoice(open_invoice("acc_a", "inv_1", 1000, 1)),
            Write::InsertInvoice(declined),
            Write::InsertInvoice(open_invoice("acc_a", "inv_3", 1000, 3)),
            Write::InsertInvoice(open_invoice("acc_a", "inv_4", 1000, 4)),
        ])
        .await
        .unwrap();
    let void = |id: &str| Write::UpdateInvoice {
        id: id.into(),
        status: InvoiceStatus::Void,
        paid_at: None,
        attempt_count: 1,
        last_error: Some("card_declined".into()),
        charge_id: None,
    };
    store
        .commit(vec![void("inv_2"), void("inv_4")])
        .await
        .unwrap();
    let listed: Vec<String> = store
        .invoices("acc_a", 10, None)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(listed, ["inv_4", "inv_3", "inv_1"]);
    let open: Vec<String> = store
        .open_invoices("acc_a")
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(open, ["inv_1", "inv_3"]);
    let voided = store.invoice("inv_4").await.unwrap().unwrap();
    assert_eq!(voided.last_error.as_deref(), Some("card_declined"));
}

#[tokio::test]
async fn accounts_with_billing_work_are_found() {
    let store = fresh_store().await;
    // On the server's clock: test accounts (with a clock of their own) are not.
    for (acc, clock) in [
        ("acc_due", None),
        ("acc_idle", None),
        ("acc_test", Some(t(0))),
    ] {
        let mut new = new_account(acc);
        new.account.clock_at = clock;
        store.insert_account(&new).await.unwrap();
    }
    let horizon = t(30 * 86_400);
    let mut found = store.accounts_with_work(horizon).await.unwrap();
    found.sort();
    assert_eq!(
        found,
        ["acc_due", "acc_idle"],
        "both periods end by the horizon"
    );
    assert!(store
        .accounts_with_work(t(86_400))
        .await
        .unwrap()
        .is_empty());
    store
        .commit(vec![Write::InsertInvoice(open_invoice(
            "acc_due", "inv_1", 1000, 1,
        ))])
        .await
        .unwrap();
    assert_eq!(
        store.accounts_with_work(t(86_400)).await.unwrap(),
        ["acc_due"],
        "an untried open invoice"
    );
}

#[tokio::test]
async fn an_e_mail_queued_with_its_invoice_names_the_number_the_invoice_was_given() {
    use billing_api::store::INVOICE_NUMBER_PENDING as PENDING;
    let store = store_with_account("acc_a").await;
    let receipt = |id: &str, invoice: Option<&str>| {
        let mut e = crate::fixtures::email("acc_a", id, 1);
        e.subject = format!("Receipt for {PENDING}");
        e.body = format!("Invoice {PENDING} (Paid)");
        e.invoice_id = invoice.map(str::to_string);
        e
    };
    let mut first = open_invoice("acc_a", "inv_1", 3000, 1);
    first.number = "INV-".into();
    let mut second = open_invoice("acc_a", "inv_2", 3000, 2);
    second.number = "INV-".into();
    // One batch alone, and one among others committed together.
    store
        .commit(vec![
            Write::InsertInvoice(first),
            Write::Email(receipt("em_1", Some("inv_1"))),
        ])
        .await
        .unwrap();
    let outcomes = store
        .commit_many(vec![
            vec![Write::Email(receipt("em_0", None))],
            vec![
                Write::InsertInvoice(second),
                Write::Email(receipt("em_2", Some("inv_2"))),
            ],
        ])
        .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let emails = store.emails("acc_a").await.unwrap();
    let of = |id: &str| emails.iter().find(|e| e.id == id).unwrap().clone();
    assert_eq!(of("em_1").subject, "Receipt for INV-000001");
    assert_eq!(of("em_1").body, "Invoice INV-000001 (Paid)");
    assert_eq!(of("em_2").subject, "Receipt for INV-000002");
    assert_eq!(of("em_2").body, "Invoice INV-000002 (Paid)");
    // An e-mail of no invoice says so in words, never the placeholder.
    assert_eq!(of("em_0").subject, "Receipt for your invoice");
}

#[tokio::test]
async fn an_e_mail_queued_before_its_invoice_in_the_batch_names_its_number_too() {
    // A renewal paid wholly by credit queues its receipt ahead of the
    // invoice it names; the number is the invoice's all the same.
    use billing_api::store::INVOICE_NUMBER_PENDING as PENDING;
    let store = store_with_account("acc_a").await;
    let mut e = crate::fixtures::email("acc_a", "em_1", 1);
    e.subject = format!("Receipt for {PENDING}");
    e.body = format!("Invoice {PENDING} (Paid), then {PENDING} again");
    e.invoice_id = Some("inv_1".into());
    let first = open_invoice("acc_a", "inv_1", 3000, 1);
    let second = open_invoice("acc_a", "inv_2", 3000, 2);
    let mut other = crate::fixtures::email("acc_a", "em_2", 1);
    other.subject = format!("Receipt for {PENDING}");
    other.invoice_id = Some("inv_2".into());
    store
        .commit(vec![
            Write::Email(e),
            Write::InsertInvoice(first),
            Write::Email(other),
            Write::InsertInvoice(second),
        ])
        .await
        .unwrap();
    let emails = store.emails("acc_a").await.unwrap();
    let of = |id: &str| emails.iter().find(|e| e.id == id).unwrap().clone();
    assert_eq!(of("em_1").subject, "Receipt for INV-000001");
    assert_eq!(
        of("em_1").body,
        "Invoice INV-000001 (Paid), then INV-000001 again"
    );
    assert_eq!(of("em_2").subject, "Receipt for INV-000002");
    // The two invoices took the next two numbers, in the batch's order.
    let numbers: Vec<String> = store
        .invoices("acc_a", 10, None)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.number)
        .collect();
    assert_eq!(numbers, ["INV-000002", "INV-000001"]);
}
