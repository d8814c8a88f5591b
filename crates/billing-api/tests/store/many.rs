//! Many at once: batches committed together (each whole or not at all,
//! each after the ones before it), account locks taken without waiting,
//! snapshots of many accounts, accounts and gateway charges in bulk.

use crate::fixtures::{
    audit, email, entry, fresh_store, new_account, open_invoice, store_with_account, subscription,
    t,
};
use billing_api::store::{
    AccountBatch, GatewayChargeRecord, GatewayTokenRecord, Store, StoreError, Write,
};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::ledger::LedgerKind;
use billing_domain::Role;
use std::sync::Arc;

/// A batch that writes an invoice, an audit line, an e-mail and a credit,
/// all named after `n`.
fn batch(acc: &str, n: &str) -> Vec<Write> {
    vec![
        Write::Once {
            marker: format!("m:{n}"),
            account_id: acc.into(),
            at: t(1),
        },
        Write::InsertInvoice(open_invoice(acc, &format!("inv_{n}"), 3000, 1)),
        Write::Audit(audit(acc, &format!("aud_{n}"), 1)),
        Write::Email(email(acc, &format!("em_{n}"), 1)),
        Write::Ledger(entry(
            acc,
            &format!("led_{n}"),
            LedgerKind::CreditGranted,
            100,
        )),
    ]
}

async fn written(store: &dyn Store, acc: &str, n: &str) -> [bool; 4] {
    [
        store.invoice(&format!("inv_{n}")).await.unwrap().is_some(),
        store
            .audit_log(acc, 1000)
            .await
            .unwrap()
            .iter()
            .any(|a| a.id == format!("aud_{n}")),
        store
            .emails(acc)
            .await
            .unwrap()
            .iter()
            .any(|e| e.id == format!("em_{n}")),
        store
            .ledger(acc)
            .await
            .unwrap()
            .iter()
            .any(|l| l.id == format!("led_{n}")),
    ]
}

#[tokio::test]
async fn batches_committed_together_each_commit_whole_or_not_at_all() {
    let store = store_with_account("acc_a").await;
    let mut overdraw = batch("acc_a", "5");
    overdraw.push(Write::Ledger(entry(
        "acc_a",
        "led_5_over",
        LedgerKind::CreditApplied,
        1_000_000,
    )));
    let mut stale = batch("acc_a", "4");
    stale.push(Write::Subscription {
        record: subscription("acc_a"),
        expected_version: 7,
    });
    let mut again = batch("acc_a", "3");
    again[0] = Write::Once {
        marker: "m:2".into(),
        account_id: "acc_a".into(),
        at: t(1),
    };
    let mut with_clock = batch("acc_a", "7");
    with_clock.push(Write::SetClock {
        account_id: "acc_a".into(),
        at: t(500),
    });
    let outcomes = store
        .commit_many(vec![
            batch("acc_a", "1"),
            batch("acc_a", "2"),
            again,
            stale,
            overdraw,
            batch("acc_a", "6"),
            with_clock,
            batch("acc_a", "8"),
        ])
        .await;
    assert_eq!(outcomes.len(), 8);
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok(), "{outcomes:?}");
    assert!(
        matches!(outcomes[2], Err(StoreError::AlreadyDone(_))),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[3], Err(StoreError::VersionConflict)),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[4], Err(StoreError::Ledger(_))),
        "{outcomes:?}"
    );
    assert!(outcomes[5..].iter().all(Result::is_ok), "{outcomes:?}");
    for n in ["1", "2", "6", "7", "8"] {
        assert_eq!(written(&*store, "acc_a", n).await, [true; 4], "batch {n}");
    }
    for n in ["3", "4", "5"] {
        assert_eq!(written(&*store, "acc_a", n).await, [false; 4], "batch {n}");
    }
    assert_eq!(
        store.account("acc_a").await.unwrap().unwrap().clock_at,
        Some(t(500))
    );
    // Numbers follow the batches that were kept, with no gaps.
    let mut seqs: Vec<i64> = store
        .invoices("acc_a", 100, None)
        .await
        .unwrap()
        .iter()
        .map(|i| i.seq)
        .collect();
    seqs.sort();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    let ledger = store.ledger("acc_a").await.unwrap();
    assert_eq!(ledger.len(), 5);
}

#[tokio::test]
async fn each_batch_sees_the_batches_before_it() {
    let store = store_with_account("acc_a").await;
    let mut sub = subscription("acc_a");
    sub.seats = 7;
    let write = |expected_version| Write::Subscription {
        record: sub.clone(),
        expected_version,
    };
    let outcomes = store
        .commit_many(vec![vec![write(1)], vec![write(2)], vec![write(2)]])
        .await;
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok(), "{outcomes:?}");
    assert!(
        matches!(outcomes[2], Err(StoreError::VersionConflict)),
        "{outcomes:?}"
    );
    let stored = store.subscription("acc_a").await.unwrap().unwrap();
    assert_eq!((stored.version, stored.seats), (3, 7));
}

#[tokio::test]
async fn many_batches_at_once_all_commit() {
    let store = store_with_account("acc_a").await;
    let batches: Vec<Vec<Write>> = (0..150).map(|i| batch("acc_a", &i.to_string())).collect();
    let outcomes = store.commit_many(batches).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(store.audit_log("acc_a", 1000).await.unwrap().len(), 150);
    assert_eq!(store.emails("acc_a").await.unwrap().len(), 150);
    assert_eq!(store.ledger("acc_a").await.unwrap().len(), 150);
    assert!(store.marker_exists("m:149").await.unwrap());
    assert!(store.commit_many(Vec::new()).await.is_empty());
}

#[tokio::test]
async fn batches_together_number_invoices_in_their_order_and_see_earlier_ones() {
    // Renewals of many accounts commit together: invoices, the attempts
    // begun on them and their payment, across batches and accounts, keep
    // the meaning they have one batch at a time.
    let store = store_with_account("acc_a").await;
    store.insert_account(&new_account("acc_b")).await.unwrap();
    let begin = |id: &str| Write::BeginAttempt {
        id: id.into(),
        key: format!("{id}:1"),
        token: "tok_1".into(),
        attempt_count: 1,
    };
    let paid = |id: &str| Write::UpdateInvoice {
        id: id.into(),
        status: InvoiceStatus::Paid,
        paid_at: Some(t(20)),
        attempt_count: 1,
        last_error: None,
        charge_id: Some(format!("ch_{id}")),
    };
    let mut charge = entry("acc_a", "led_card", LedgerKind::CardCharge, 3000);
    charge.invoice_id = Some("inv_a1".into());
    charge.charge_id = Some("ch_inv_a1".into());
    let outcomes = store
        .commit_many(vec![
            vec![
                Write::InsertInvoice(open_invoice("acc_b", "inv_b1", 1000, 1)),
                begin("inv_b1"),
                Write::Audit(audit("acc_b", "aud_b1", 1)),
            ],
            vec![
                Write::Audit(audit("acc_a", "aud_a1", 1)),
                Write::InsertInvoice(open_invoice("acc_a", "inv_a1", 3000, 1)),
                begin("inv_a1"),
            ],
            // The payment of an invoice an earlier batch of the same commit wrote.
            vec![
                paid("inv_a1"),
                Write::Ledger(charge),
                Write::Audit(audit("acc_a", "aud_a2", 2)),
            ],
            vec![Write::InsertInvoice(open_invoice(
                "acc_b", "inv_b2", 500, 2,
            ))],
        ])
        .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let number = |inv: &billing_api::store::InvoiceRecord| (inv.seq, inv.number.clone());
    let b1 = store.invoice("inv_b1").await.unwrap().unwrap();
    let a1 = store.invoice("inv_a1").await.unwrap().unwrap();
    let b2 = store.invoice("inv_b2").await.unwrap().unwrap();
    assert_eq!(number(&b1), (1, "INV-000001".to_string()));
    assert_eq!(number(&a1), (2, "INV-000002".to_string()));
    assert_eq!(number(&b2), (3, "INV-000003".to_string()));
    assert_eq!(b1.pending_key.as_deref(), Some("inv_b1:1"));
    assert_eq!(b1.status, InvoiceStatus::Open);
    assert_eq!(
        (
            a1.status,
            a1.charge_id.as_deref(),
            a1.pending_key.as_deref()
        ),
        (InvoiceStatus::Paid, Some("ch_inv_a1"), None)
    );
    let ledger = store.ledger("acc_a").await.unwrap();
    assert!(ledger.iter().any(|l| l.id == "led_card"), "{ledger:?}");
    let lines: Vec<String> = store
        .audit_log("acc_a", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert!(
        lines.contains(&"aud_a1".to_string()) && lines.contains(&"aud_a2".to_string()),
        "{lines:?}"
    );
}

#[tokio::test]
async fn locks_are_taken_without_waiting_only_where_free() {
    let store = store_with_account("acc_a").await;
    // Another store on the same database, as another instance would hold it.
    let other = billing_api::store::connect(&store.url).await.unwrap();
    let ids: Vec<String> = ["acc_a", "acc_b", "acc_c"].map(String::from).to_vec();
    let held_a = other.lock_account("acc_a").await.unwrap();
    let (guard, held) = store.try_lock_accounts(&ids).await.unwrap();
    assert_eq!(held, vec!["acc_b".to_string(), "acc_c".to_string()]);
    let (_none, none) = other.try_lock_accounts(&ids).await.unwrap();
    assert!(none.is_empty(), "{none:?}");
    drop(guard);
    drop(held_a);
    let (_all, all) = other.try_lock_accounts(&ids).await.unwrap();
    assert_eq!(all, ids);
    // A waiting lock is admitted once the batch lets go.
    drop(_all);
    let _a = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        store.lock_account("acc_a"),
    )
    .await
    .expect("the lock is free again")
    .unwrap();
}

#[tokio::test]
async fn snapshots_hold_what_the_scheduler_reads() {
    let store = store_with_account("acc_a").await;
    store.insert_account(&new_account("acc_b")).await.unwrap();
    store
        .commit(vec![
            Write::InsertInvoice(open_invoice("acc_a", "inv_1", 3000, 1)),
            Write::InsertInvoice(open_invoice("acc_a", "inv_2", 2000, 2)),
        ])
        .await
        .unwrap();
    let ids = ["acc_a", "acc_b", "acc_missing"].map(String::from);
    let mut snapshots = store.snapshots(&ids).await.unwrap();
    snapshots.sort_by(|a, b| a.account.id.cmp(&b.account.id));
    assert_eq!(snapshots.len(), 2);
    let a = &snapshots[0];
    assert_eq!(a.account.id, "acc_a");
    assert_eq!(a.subscription, store.subscription("acc_a").await.unwrap());
    assert_eq!(
        a.card.as_ref().map(|c| c.id.clone()),
        Some("pm_acc_a_0".to_string())
    );
    assert_eq!(a.users.len(), 3);
    assert_eq!(a.users[0].role, Role::Owner);
    let ids: Vec<&str> = a.open_invoices.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, vec!["inv_1", "inv_2"]);
    assert_eq!(a.open_invoices[0].lines.len(), 2);
    assert_eq!(a.open_invoices[0].status, InvoiceStatus::Open);
    assert!(snapshots[1].open_invoices.is_empty());
    assert!(store.snapshots(&[]).await.unwrap().is_empty());
}

fn charge(id: &str, key: &str, outcome: &str) -> GatewayChargeRecord {
    GatewayChargeRecord {
        id: id.into(),
        token: "tok_1".into(),
        amount: 3000,
        currency: "USD".into(),
        idempotency_key: key.into(),
        outcome: outcome.into(),
        created_at: t(5),
    }
}

#[tokio::test]
async fn charges_recorded_together_keep_the_first_of_each_key() {
    let store = fresh_store().await;
    store
        .record_gateway_charge(&charge("ch_0", "k0", "succeeded"))
        .await
        .unwrap();
    let recorded = store
        .record_gateway_charges(&[
            charge("ch_1", "k0", "failed:card_declined"),
            charge("ch_2", "k1", "succeeded"),
            charge("ch_3", "k1", "failed:card_declined"),
            charge("ch_4", "k2", "failed:card_declined"),
        ])
        .await
        .unwrap();
    let ids: Vec<&str> = recorded.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, vec!["ch_0", "ch_2", "ch_2", "ch_4"]);
    assert_eq!(recorded[0].outcome, "succeeded");
    assert!(store.record_gateway_charges(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn vault_tokens_are_read_together() {
    let store = fresh_store().await;
    for token in ["tok_1", "tok_2"] {
        store
            .insert_gateway_token(&GatewayTokenRecord {
                token: token.into(),
                brand: "visa".into(),
                last4: "4242".into(),
                exp_month: 12,
                exp_year: 2034,
                behaviour: "succeed".into(),
                created_at: t(0),
            })
            .await
            .unwrap();
    }
    let ids = ["tok_2", "tok_missing", "tok_1"].map(String::from);
    let mut found: Vec<String> = store
        .gateway_tokens(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.token)
        .collect();
    found.sort();
    assert_eq!(found, vec!["tok_1", "tok_2"]);
}

/// An account with a paid invoice of its history, an opening credit and
/// an audit line, as the seeding writes accounts.
fn with_history(acc: &str) -> billing_api::store::NewAccount {
    let mut new = new_account(acc);
    let mut paid = open_invoice(acc, &format!("inv_{acc}_0"), 3000, 0);
    paid.status = InvoiceStatus::Paid;
    paid.paid_at = Some(t(0));
    paid.charge_id = Some(format!("ch_{acc}_0"));
    new.invoices.push(paid);
    new.subscription.credit_balance = 500;
    new.audit.push(audit(acc, &format!("aud_{acc}_0"), 0));
    new
}

#[tokio::test]
async fn accounts_written_in_bulk_read_back_as_written_one_by_one() {
    let one = fresh_store().await;
    let bulk = fresh_store().await;
    for acc in ["acc_a", "acc_b"] {
        one.insert_account(&with_history(acc)).await.unwrap();
    }
    let tokens = vec![GatewayTokenRecord {
        token: "tok_acc_a_0".into(),
        brand: "visa".into(),
        last4: "4242".into(),
        exp_month: 12,
        exp_year: 2034,
        behaviour: "succeed".into(),
        created_at: t(0),
    }];
    let charges = vec![GatewayChargeRecord {
        token: "tok_acc_a_0".into(),
        ..charge("ch_acc_a_0", "inv_acc_a_0:1", "succeeded")
    }];
    bulk.insert_accounts(&AccountBatch {
        accounts: vec![with_history("acc_a"), with_history("acc_b")],
        gateway_tokens: tokens,
        gateway_charges: charges,
    })
    .await
    .unwrap();
    for acc in ["acc_a", "acc_b"] {
        let (a, b): (Arc<dyn Store>, Arc<dyn Store>) = (one.store.clone(), bulk.store.clone());
        assert_eq!(
            format!("{:?}", a.account(acc).await.unwrap()),
            format!("{:?}", b.account(acc).await.unwrap())
        );
        assert_eq!(
            a.subscription(acc).await.unwrap(),
            b.subscription(acc).await.unwrap()
        );
        assert_eq!(
            format!("{:?}", a.users_of_account(acc).await.unwrap()),
            format!("{:?}", b.users_of_account(acc).await.unwrap())
        );
        assert_eq!(
            format!("{:?}", a.default_payment_method(acc).await.unwrap()),
            format!("{:?}", b.default_payment_method(acc).await.unwrap())
        );
        assert_eq!(
            format!("{:?}", a.invoices(acc, 10, None).await.unwrap()),
            format!("{:?}", b.invoices(acc, 10, None).await.unwrap())
        );
        assert_eq!(a.ledger(acc).await.unwrap(), b.ledger(acc).await.unwrap());
        assert_eq!(
            format!("{:?}", a.audit_log(acc, 10).await.unwrap()),
            format!("{:?}", b.audit_log(acc, 10).await.unwrap())
        );
        // What is numbered next follows on from the bulk write.
        for store in [&a, &b] {
            store
                .commit(vec![
                    Write::InsertInvoice(open_invoice(acc, &format!("inv_{acc}_next"), 100, 9)),
                    Write::Audit(audit(acc, &format!("aud_{acc}_next"), 9)),
                    Write::Ledger(entry(
                        acc,
                        &format!("led_{acc}_next"),
                        LedgerKind::CreditGranted,
                        1,
                    )),
                ])
                .await
                .unwrap();
            let next = store
                .invoice(&format!("inv_{acc}_next"))
                .await
                .unwrap()
                .unwrap();
            // acc_a's and acc_b's first invoices took 1 and 2 of the
            // vendor-wide sequence; acc_a's next takes 3, then acc_b's 4.
            let expected = if acc == "acc_a" { 3 } else { 4 };
            assert_eq!(next.seq, expected);
            assert_eq!(next.number, format!("INV-{expected:06}"));
            assert_eq!(store.ledger(acc).await.unwrap().len(), 3);
        }
    }
    let charges = bulk.gateway_charges_of_account("acc_a").await.unwrap();
    assert_eq!(charges.len(), 1);
    assert!(bulk.gateway_token("tok_acc_a_0").await.unwrap().is_some());
}
