//! The webhook outbox: events published by the audit lines of a batch,
//! committed with it (or not at all), with a snapshot of the subscription
//! as the batch left it; claimed one account's oldest at a time.

use crate::fixtures::{audit, store_with_account, subscription, t};
use billing_api::store::{EventAttempt, StoreError, SubscriptionRecord, Write};
use billing_domain::SubscriptionStatus;

fn paused(acc: &str) -> Write {
    Write::Subscription {
        record: SubscriptionRecord {
            status: SubscriptionStatus::Paused,
            seats: 7,
            ..subscription(acc)
        },
        expected_version: 1,
    }
}

fn audit_of(acc: &str, id: &str, action: &str, at: i64) -> Write {
    Write::Audit(billing_api::store::AuditEntry {
        action: action.into(),
        ..audit(acc, id, at)
    })
}

#[tokio::test]
async fn an_audit_line_publishes_its_event_with_the_state_the_batch_leaves() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![
            audit_of("acc_a", "aud_1", "subscription.paused", 5),
            paused("acc_a"),
        ])
        .await
        .unwrap();
    let events = store.events("acc_a").await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e.event_type, "subscription.paused");
    assert_eq!(e.account_id, "acc_a");
    assert_eq!(e.created_at, t(5));
    assert!(e.id.starts_with("evt_"), "{}", e.id);
    let snap = e.snapshot.as_ref().expect("a snapshot");
    // The subscription write came after the audit line, yet the snapshot
    // is what the whole batch left.
    assert_eq!(snap.status, SubscriptionStatus::Paused);
    assert_eq!(snap.seats, 7);
    assert_eq!(snap.period_end, subscription("acc_a").current_period_end);
    assert_eq!(e.delivered_at, None);
    assert_eq!(e.attempts, 0);
}

#[tokio::test]
async fn a_batch_that_fails_publishes_nothing() {
    let store = store_with_account("acc_a").await;
    let err = store
        .commit(vec![
            audit_of("acc_a", "aud_1", "subscription.paused", 5),
            Write::Subscription {
                record: subscription("acc_a"),
                expected_version: 9,
            },
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict), "{err:?}");
    assert!(store.events("acc_a").await.unwrap().is_empty());
    // Of many batches at once, only those that commit publish.
    let results = store
        .commit_many(vec![
            vec![audit_of("acc_a", "aud_2", "subscription.renewed", 6)],
            vec![
                audit_of("acc_a", "aud_3", "subscription.paused", 7),
                Write::Subscription {
                    record: subscription("acc_a"),
                    expected_version: 9,
                },
            ],
        ])
        .await;
    assert!(results[0].is_ok() && results[1].is_err(), "{results:?}");
    let types: Vec<String> = store
        .events("acc_a")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(types, ["subscription.updated"]);
}

#[tokio::test]
async fn lines_that_are_no_billing_event_publish_nothing() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![audit_of("acc_a", "aud_1", "user.password_changed", 1)])
        .await
        .unwrap();
    assert!(store.events("acc_a").await.unwrap().is_empty());
}

#[tokio::test]
async fn only_each_account_s_oldest_event_is_claimed_and_by_one_sender() {
    let store = store_with_account("acc_a").await;
    store
        .insert_account(&crate::fixtures::new_account("acc_b"))
        .await
        .unwrap();
    for (i, acc) in ["acc_a", "acc_b", "acc_a"].iter().enumerate() {
        store
            .commit(vec![audit_of(
                acc,
                &format!("aud_{i}"),
                "subscription.renewed",
                i as i64,
            )])
            .await
            .unwrap();
    }
    let a = store.events("acc_a").await.unwrap();
    let b = store.events("acc_b").await.unwrap();
    assert_eq!(a.len(), 2);
    assert!(a[0].seq < a[1].seq);

    let now = t(100);
    let claimed = store.claim_events(10, now, t(160)).await.unwrap();
    let ids: Vec<&str> = claimed.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [a[0].id.as_str(), b[0].id.as_str()],
        "heads only, oldest first"
    );
    assert!(
        store
            .claim_events(10, now, t(160))
            .await
            .unwrap()
            .is_empty(),
        "claimed events are held"
    );
    // A claim that lapses is taken again.
    let again = store.claim_events(10, t(161), t(200)).await.unwrap();
    assert_eq!(again.len(), 2);

    // Delivered: the account's next event is due.
    store
        .mark_event(&a[0].id, &EventAttempt::Delivered { at: t(170) })
        .await
        .unwrap();
    // Failed: retried from `retry_at`, and the account waits behind it.
    store
        .mark_event(
            &b[0].id,
            &EventAttempt::Failed {
                at: t(170),
                error: "500".into(),
                retry_at: t(300),
            },
        )
        .await
        .unwrap();
    let next = store.claim_events(10, t(171), t(230)).await.unwrap();
    let ids: Vec<&str> = next.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [a[1].id.as_str()]);
    store
        .mark_event(&a[1].id, &EventAttempt::Delivered { at: t(172) })
        .await
        .unwrap();
    let retried = store.claim_events(10, t(300), t(360)).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].id, b[0].id);
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].first_attempt_at, Some(t(170)));
    assert_eq!(retried[0].last_error.as_deref(), Some("500"));

    // Given up: recorded, and never claimed again.
    store
        .mark_event(
            &b[0].id,
            &EventAttempt::GaveUp {
                at: t(400),
                error: "timed out".into(),
            },
        )
        .await
        .unwrap();
    assert!(store
        .claim_events(10, t(10_000), t(10_060))
        .await
        .unwrap()
        .iter()
        .all(|e| e.id != b[0].id));
    let b = store.events("acc_b").await.unwrap();
    assert_eq!(b[0].gave_up_at, Some(t(400)));
    assert_eq!(b[0].attempts, 2);
    assert_eq!(b[0].first_attempt_at, Some(t(170)));
    let a = store.events("acc_a").await.unwrap();
    assert_eq!(a[0].delivered_at, Some(t(170)));
}

#[tokio::test]
async fn a_new_account_publishes_subscription_created() {
    let store = crate::fixtures::fresh_store().await;
    let mut new = crate::fixtures::new_account("acc_n");
    new.audit = vec![billing_api::store::AuditEntry {
        action: "subscription.created".into(),
        ..audit("acc_n", "aud_n", 0)
    }];
    store.insert_account(&new).await.unwrap();
    let events = store.events("acc_n").await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, "subscription.created");
    assert_eq!(
        events[0].snapshot.as_ref().map(|s| s.status),
        Some(SubscriptionStatus::Active)
    );
}

#[tokio::test]
async fn deleting_an_account_s_data_keeps_its_invoices_and_publishes_account_deleted() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![Write::InsertInvoice(crate::fixtures::open_invoice(
            "acc_a", "in_1", 1200, 1,
        ))])
        .await
        .unwrap();
    store
        .commit(vec![Write::DeleteAccountData {
            account_id: "acc_a".into(),
            at: t(50),
        }])
        .await
        .unwrap();
    let kept = store.invoices("acc_a", 10, None).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].lines.len(), 2, "with its lines");
    let events = store.events("acc_a").await.unwrap();
    assert_eq!(
        events.last().map(|e| e.event_type.as_str()),
        Some("account.deleted")
    );
}

#[tokio::test]
async fn events_done_long_ago_are_forgotten_and_those_still_to_go_kept() {
    let store = store_with_account("acc_a").await;
    for i in 0..3 {
        store
            .commit(vec![audit_of(
                "acc_a",
                &format!("aud_{i}"),
                "subscription.renewed",
                i,
            )])
            .await
            .unwrap();
    }
    let e = store.events("acc_a").await.unwrap();
    store
        .mark_event(&e[0].id, &EventAttempt::Delivered { at: t(10) })
        .await
        .unwrap();
    store
        .mark_event(
            &e[1].id,
            &EventAttempt::GaveUp {
                at: t(20),
                error: "500".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.forget_events(t(15)).await.unwrap(), 1);
    assert_eq!(store.forget_events(t(30)).await.unwrap(), 1);
    assert_eq!(store.forget_events(t(10_000)).await.unwrap(), 0);
    let left: Vec<String> = store
        .events("acc_a")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(left, [e[2].id.clone()]);
}
