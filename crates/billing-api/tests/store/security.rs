//! Sign-in protection: throttle counters swapped only at the version read,
//! so attempts on several instances at once are each counted, and
//! forgotten once stale.

use crate::fixtures::{fresh_store, t};
use billing_api::store::ThrottleRecord;

fn counter(key: &str, attempts: i64, at: i64) -> ThrottleRecord {
    ThrottleRecord {
        key: key.into(),
        attempts,
        blocked_until: t(at + attempts),
        updated_at: t(at),
        succeeded_at: None,
        version: 0,
    }
}

#[tokio::test]
async fn a_counter_is_written_once_from_nothing_and_read_back_as_written() {
    let store = fresh_store().await;
    assert_eq!(store.throttle("k1").await.unwrap(), None);
    let first = counter("k1", 1, 10);
    assert!(store.swap_throttle(None, &first).await.unwrap());
    // A second writer that also read nothing loses.
    assert!(!store
        .swap_throttle(None, &counter("k1", 1, 11))
        .await
        .unwrap());
    let read = store.throttle("k1").await.unwrap().unwrap();
    assert_eq!(
        read,
        ThrottleRecord {
            version: 1,
            ..first
        }
    );
    assert_eq!(store.throttle("k2").await.unwrap(), None);
}

#[tokio::test]
async fn a_swap_from_a_stale_version_changes_nothing() {
    let store = fresh_store().await;
    assert!(store
        .swap_throttle(None, &counter("k", 1, 0))
        .await
        .unwrap());
    let read = store.throttle("k").await.unwrap().unwrap();
    let mut second = counter("k", 2, 1);
    second.succeeded_at = Some(t(1));
    assert!(store.swap_throttle(Some(&read), &second).await.unwrap());
    // `read` is now stale: its version was replaced.
    assert!(!store
        .swap_throttle(Some(&read), &counter("k", 9, 2))
        .await
        .unwrap());
    let now = store.throttle("k").await.unwrap().unwrap();
    assert_eq!(
        now,
        ThrottleRecord {
            version: 2,
            ..second
        }
    );
}

#[tokio::test]
async fn concurrent_swaps_from_one_version_let_exactly_one_through() {
    let store = fresh_store().await;
    assert!(store
        .swap_throttle(None, &counter("k", 1, 0))
        .await
        .unwrap());
    let read = store.throttle("k").await.unwrap().unwrap();
    let attempts = (0..8).map(|i| {
        let store = store.store.clone();
        let read = read.clone();
        tokio::spawn(async move {
            store
                .swap_throttle(Some(&read), &counter("k", 2 + i, 1))
                .await
                .unwrap()
        })
    });
    let won = futures::future::join_all(attempts)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);
    assert_eq!(store.throttle("k").await.unwrap().unwrap().version, 2);
}

#[tokio::test]
async fn counters_untouched_since_a_moment_are_forgotten() {
    let store = fresh_store().await;
    for (key, at) in [("old", 5), ("edge", 10), ("new", 20)] {
        assert!(store
            .swap_throttle(None, &counter(key, 1, at))
            .await
            .unwrap());
    }
    assert_eq!(store.forget_throttles(t(10)).await.unwrap(), 1);
    assert_eq!(store.throttle("old").await.unwrap(), None);
    assert!(store.throttle("edge").await.unwrap().is_some());
    assert!(store.throttle("new").await.unwrap().is_some());
}
