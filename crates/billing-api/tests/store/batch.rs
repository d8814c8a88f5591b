//! A batch commits whole or not at all: version conflicts, once-only
//! markers, unique conflicts, the ledger's invariant and the guards of
//! updates each refuse the whole batch.

use crate::fixtures::{
    audit, email, entry, open_invoice, store_with_account, subscription, t, usd,
};
use billing_api::store::{
    AccessRequestRecord, CancelSessionRecord, StoreError, SubscriptionRecord, WithdrawalRecord,
    Write,
};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::ledger::LedgerKind;
use billing_domain::BillingAccess;

/// A batch that would write something everywhere, for "nothing written".
fn side_effects(acc: &str, n: &str) -> Vec<Write> {
    vec![
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

async fn assert_nothing_written(store: &crate::fixtures::TestStore, acc: &str, n: &str) {
    assert!(store.invoice(&format!("inv_{n}")).await.unwrap().is_none());
    assert!(store
        .audit_log(acc, 100)
        .await
        .unwrap()
        .iter()
        .all(|a| a.id != format!("aud_{n}")));
    assert!(store
        .emails(acc)
        .await
        .unwrap()
        .iter()
        .all(|e| e.id != format!("em_{n}")));
    assert!(store
        .ledger(acc)
        .await
        .unwrap()
        .iter()
        .all(|l| l.id != format!("led_{n}")));
}

#[tokio::test]
async fn a_subscription_write_moves_the_version_on() {
    let store = store_with_account("acc_a").await;
    let mut sub = subscription("acc_a");
    sub.seats = 5;
    sub.paused = true;
    sub.pause_billed = true;
    sub.pending_seats = Some(4);
    sub.discount_percent = Some(20);
    sub.discount_periods_left = Some(2);
    sub.cancel_at = Some(t(77));
    store
        .commit(vec![Write::Subscription {
            record: sub.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap();
    let stored = store.subscription("acc_a").await.unwrap().unwrap();
    assert_eq!(stored, SubscriptionRecord { version: 2, ..sub });
}

#[tokio::test]
async fn a_stale_subscription_version_refuses_the_whole_batch() {
    let store = store_with_account("acc_a").await;
    let mut writes = side_effects("acc_a", "1");
    writes.push(Write::Subscription {
        record: subscription("acc_a"),
        expected_version: 7,
    });
    let err = store.commit(writes).await.unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict), "{err:?}");
    assert_nothing_written(&store, "acc_a", "1").await;
    assert_eq!(
        store.subscription("acc_a").await.unwrap().unwrap().version,
        1
    );
}

#[tokio::test]
async fn a_once_only_marker_claimed_twice_is_already_done() {
    let store = store_with_account("acc_a").await;
    let once = || Write::Once {
        marker: "renewal:acc_a:1".into(),
        account_id: "acc_a".into(),
        at: t(1),
    };
    assert!(!store.marker_exists("renewal:acc_a:1").await.unwrap());
    store.commit(vec![once()]).await.unwrap();
    assert!(store.marker_exists("renewal:acc_a:1").await.unwrap());
    let mut writes = side_effects("acc_a", "2");
    writes.push(once());
    let err = store.commit(writes).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyDone(_)), "{err:?}");
    assert_nothing_written(&store, "acc_a", "2").await;
}

fn access_request(id: &str) -> AccessRequestRecord {
    AccessRequestRecord {
        id: id.into(),
        account_id: "acc_a".into(),
        user_id: "acc_a_member".into(),
        note: "please".into(),
        status: "open".into(),
        granted: None,
        created_at: t(1),
        decided_at: None,
        decided_by: None,
    }
}

#[tokio::test]
async fn a_second_open_access_request_is_a_conflict() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![Write::InsertAccessRequest(access_request("ar_1"))])
        .await
        .unwrap();
    let mut writes = side_effects("acc_a", "3");
    writes.push(Write::InsertAccessRequest(access_request("ar_2")));
    let err = store.commit(writes).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_nothing_written(&store, "acc_a", "3").await;
    let open = store
        .open_access_request("acc_a_member")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.id, "ar_1");
    assert_eq!(
        store.access_requests("acc_a", "open").await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn an_access_request_is_decided_once() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![Write::InsertAccessRequest(access_request("ar_1"))])
        .await
        .unwrap();
    let decide = || Write::DecideAccessRequest {
        id: "ar_1".into(),
        status: "granted".into(),
        granted: Some(BillingAccess::Read),
        decided_at: t(2),
        decided_by: "acc_a_owner".into(),
    };
    store.commit(vec![decide()]).await.unwrap();
    let err = store.commit(vec![decide()]).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyDone(_)), "{err:?}");
    let decided = store.access_request("ar_1").await.unwrap().unwrap();
    assert_eq!(
        (decided.status.as_str(), decided.granted),
        ("granted", Some(BillingAccess::Read))
    );
    assert_eq!(decided.decided_by.as_deref(), Some("acc_a_owner"));
    assert!(store
        .open_access_request("acc_a_member")
        .await
        .unwrap()
        .is_none());
    // Once decided, the member may ask again.
    store
        .commit(vec![Write::InsertAccessRequest(access_request("ar_2"))])
        .await
        .unwrap();
    assert_eq!(
        store
            .access_requests("acc_a", "granted")
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_batch_that_would_make_the_balance_negative_is_refused_whole() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![Write::Ledger(entry(
            "acc_a",
            "led_grant",
            LedgerKind::CreditGranted,
            500,
        ))])
        .await
        .unwrap();
    let mut writes = side_effects("acc_a", "4");
    writes.push(Write::Ledger(entry(
        "acc_a",
        "led_apply",
        LedgerKind::CreditApplied,
        601,
    )));
    let err = store.commit(writes).await.unwrap_err();
    assert!(matches!(err, StoreError::Ledger(_)), "{err:?}");
    assert_nothing_written(&store, "acc_a", "4").await;
    let sub = store.subscription("acc_a").await.unwrap().unwrap();
    assert_eq!(sub.credit_balance, 500);

    store
        .commit(vec![Write::Ledger(entry(
            "acc_a",
            "led_apply",
            LedgerKind::CreditApplied,
            500,
        ))])
        .await
        .expect("down to zero is fine");
    assert_eq!(
        store
            .subscription("acc_a")
            .await
            .unwrap()
            .unwrap()
            .credit_balance,
        0
    );
}

#[tokio::test]
async fn balances_are_summed_from_the_ledger_in_order() {
    let store = store_with_account("acc_a").await;
    let mut charge = entry("acc_a", "led_1", LedgerKind::CardCharge, 3000);
    charge.charge_id = Some("ch_1".into());
    store
        .commit(vec![
            Write::Ledger(charge.clone()),
            Write::Ledger(entry("acc_a", "led_2", LedgerKind::CreditGranted, 1000)),
            Write::Ledger(entry(
                "acc_a",
                "led_3",
                LedgerKind::WithdrawalRequested,
                400,
            )),
        ])
        .await
        .unwrap();
    let sub = store.subscription("acc_a").await.unwrap().unwrap();
    assert_eq!((sub.credit_balance, sub.credit_held), (600, 400));
    let ids: Vec<String> = store
        .ledger("acc_a")
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(ids, ["led_1", "led_2", "led_3"]);
    assert_eq!(store.ledger("acc_a").await.unwrap()[0], charge);

    // A gateway charge is entered once.
    let mut again = charge;
    again.id = "led_4".into();
    let err = store.commit(vec![Write::Ledger(again)]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

#[tokio::test]
async fn a_withdrawal_is_decided_once() {
    let store = store_with_account("acc_a").await;
    let w = WithdrawalRecord {
        id: "wd_1".into(),
        account_id: "acc_a".into(),
        amount: usd(400),
        status: "requested".into(),
        note: "refund me".into(),
        requested_by: Some("acc_a_owner".into()),
        requested_at: t(5),
        decided_at: None,
        decided_by: None,
    };
    store
        .commit(vec![Write::InsertWithdrawal(w.clone())])
        .await
        .unwrap();
    assert_eq!(store.withdrawal("wd_1").await.unwrap(), Some(w.clone()));
    let decide = || Write::DecideWithdrawal {
        id: "wd_1".into(),
        status: "paid".into(),
        decided_at: t(6),
        decided_by: "billing".into(),
    };
    store.commit(vec![decide()]).await.unwrap();
    let err = store.commit(vec![decide()]).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyDone(_)), "{err:?}");
    let listed = store.withdrawals("acc_a").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].status.as_str(), listed[0].decided_at),
        ("paid", Some(t(6)))
    );
}

#[tokio::test]
async fn only_an_open_invoice_is_updated_or_charged() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![Write::InsertInvoice(open_invoice(
            "acc_a", "inv_1", 3000, 1,
        ))])
        .await
        .unwrap();
    let begin = || Write::BeginAttempt {
        id: "inv_1".into(),
        key: "key_1".into(),
        token: "tok_acc_a_0".into(),
        attempt_count: 1,
    };
    store.commit(vec![begin()]).await.unwrap();
    let pending = store.invoice("inv_1").await.unwrap().unwrap();
    assert_eq!(pending.pending_key.as_deref(), Some("key_1"));
    assert_eq!(pending.attempt_count, 1);
    let err = store.commit(vec![begin()]).await.unwrap_err();
    assert!(
        matches!(err, StoreError::AlreadyDone(_)),
        "a charge in flight: {err:?}"
    );

    let pay = || Write::UpdateInvoice {
        id: "inv_1".into(),
        status: InvoiceStatus::Paid,
        paid_at: Some(t(2)),
        attempt_count: 1,
        last_error: None,
        charge_id: Some("ch_1".into()),
    };
    store.commit(vec![pay()]).await.unwrap();
    let paid = store.invoice("inv_1").await.unwrap().unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(
        (paid.paid_at, paid.charge_id.as_deref()),
        (Some(t(2)), Some("ch_1"))
    );
    assert_eq!((paid.pending_key, paid.pending_token), (None, None));
    let mut writes = side_effects("acc_a", "5");
    writes.push(pay());
    let err = store.commit(writes).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyDone(_)), "{err:?}");
    assert_nothing_written(&store, "acc_a", "5").await;
    let err = store.commit(vec![begin()]).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyDone(_)), "{err:?}");
}

#[tokio::test]
async fn cancel_sessions_are_upserted_and_counted() {
    let store = store_with_account("acc_a").await;
    let mut session = CancelSessionRecord {
        id: "cs_1".into(),
        account_id: "acc_a".into(),
        user_id: "acc_a_owner".into(),
        started_at: t(10),
        reason: None,
        reason_text: None,
        offers_shown: vec![],
        outcome: None,
        offer_id: None,
        ended_at: None,
    };
    store
        .commit(vec![Write::CancelSession(session.clone())])
        .await
        .unwrap();
    session.reason = Some("too_expensive".into());
    session.offers_shown = vec!["discount".into(), "pause".into()];
    session.outcome = Some("saved".into());
    session.offer_id = Some("discount".into());
    session.ended_at = Some(t(20));
    let canceled = CancelSessionRecord {
        id: "cs_2".into(),
        reason: Some("missing_feature".into()),
        outcome: Some("canceled".into()),
        ..session.clone()
    };
    let paused = CancelSessionRecord {
        id: "cs_3".into(),
        outcome: Some("paused".into()),
        offer_id: Some("pause".into()),
        ..session.clone()
    };
    store
        .commit(vec![
            Write::CancelSession(session.clone()),
            Write::CancelSession(canceled),
            Write::CancelSession(paused),
        ])
        .await
        .unwrap();
    let stored = store.cancel_session("cs_1").await.unwrap().unwrap();
    assert_eq!(stored.offers_shown, ["discount", "pause"]);
    assert_eq!(
        (stored.outcome.as_deref(), stored.ended_at),
        (Some("saved"), Some(t(20)))
    );
    let rate = store.save_rate(t(0), t(100)).await.unwrap();
    assert_eq!(rate.starts, 3);
    assert_eq!(
        rate.saves_by_offer,
        [("discount".to_string(), 1), ("pause".to_string(), 1)]
    );
    assert_eq!(
        rate.cancellations_by_reason,
        [("missing_feature".to_string(), 1)]
    );
    assert_eq!((rate.pauses, rate.meetings), (1, 0));
    assert_eq!(store.save_rate(t(11), t(100)).await.unwrap().starts, 0);
}

#[tokio::test]
async fn usage_is_summed_by_kind_since_a_moment() {
    let store = store_with_account("acc_a").await;
    let usage = |id: &str, kind: &str, quantity, at| Write::Usage {
        id: id.into(),
        account_id: "acc_a".into(),
        kind: kind.into(),
        quantity,
        at: t(at),
    };
    store
        .commit(vec![
            usage("u1", "report", 2, 1),
            usage("u2", "report", 3, 5),
            usage("u3", "export", 7, 6),
        ])
        .await
        .unwrap();
    let mut totals = store.usage_since("acc_a", t(2)).await.unwrap();
    totals.sort();
    assert_eq!(
        totals,
        [("export".to_string(), 7), ("report".to_string(), 3)]
    );
}
