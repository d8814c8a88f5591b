//! Sign-in protection: throttle counters swapped only at the version read,
//! so attempts on several instances at once are each counted, and
//! forgotten once stale; sessions' last use, their idle and absolute ends;
//! a password change and the sessions it ends, in one batch.

use crate::fixtures::{fresh_store, store_with_account, t};
use billing_api::store::{SessionRecord, ThrottleRecord, Write};

fn session(hash: &str, user: &str, created: i64) -> SessionRecord {
    SessionRecord {
        token_hash: hash.into(),
        user_id: user.into(),
        created_at: t(created),
        expires_at: t(created + 1000),
        last_seen_at: t(created),
    }
}

async fn hashes_of(store: &dyn billing_api::store::Store, user: &str) -> Vec<String> {
    store
        .user_sessions(user)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.token_hash)
        .collect()
}

#[tokio::test]
async fn a_sessions_last_use_moves_only_forward() {
    let store = store_with_account("acc_a").await;
    store
        .insert_session(&session("h1", "acc_a_owner", 10))
        .await
        .unwrap();
    store.touch_session("h1", t(50)).await.unwrap();
    assert_eq!(
        store.session("h1").await.unwrap().unwrap().last_seen_at,
        t(50)
    );
    // A slower request that read the session earlier does not move it back.
    store.touch_session("h1", t(40)).await.unwrap();
    assert_eq!(
        store.session("h1").await.unwrap().unwrap().last_seen_at,
        t(50)
    );
    store.touch_session("absent", t(60)).await.unwrap();
}

#[tokio::test]
async fn a_users_sessions_are_listed_oldest_first_and_ended_sessions_forgotten() {
    let store = store_with_account("acc_a").await;
    for (hash, user, at) in [
        ("h2", "acc_a_owner", 20),
        ("h1", "acc_a_owner", 10),
        ("h3", "acc_a_admin", 30),
        ("h4", "acc_a_owner", 40),
    ] {
        store
            .insert_session(&session(hash, user, at))
            .await
            .unwrap();
    }
    assert_eq!(hashes_of(&*store, "acc_a_owner").await, ["h1", "h2", "h4"]);
    store.touch_session("h2", t(500)).await.unwrap();
    // At t(1015) h1 is past its end (t(1010)); idle since before t(450): h3 and h4.
    assert_eq!(store.forget_sessions(t(1015), t(450)).await.unwrap(), 3);
    assert_eq!(hashes_of(&*store, "acc_a_owner").await, ["h2"]);
    assert!(hashes_of(&*store, "acc_a_admin").await.is_empty());
}

#[tokio::test]
async fn a_password_change_and_the_sessions_it_ends_commit_together() {
    let store = store_with_account("acc_a").await;
    for (hash, user) in [
        ("h1", "acc_a_owner"),
        ("h2", "acc_a_owner"),
        ("h3", "acc_a_admin"),
    ] {
        store.insert_session(&session(hash, user, 1)).await.unwrap();
    }
    store
        .commit(vec![
            Write::SetPassword {
                user_id: "acc_a_owner".into(),
                password_hash: "new hash".into(),
            },
            Write::EndSessions {
                user_id: "acc_a_owner".into(),
                except: Some("h1".into()),
            },
        ])
        .await
        .unwrap();
    let owner = store.user("acc_a_owner").await.unwrap().unwrap();
    assert_eq!(owner.password_hash, "new hash");
    assert_eq!(hashes_of(&*store, "acc_a_owner").await, ["h1"]);
    assert_eq!(hashes_of(&*store, "acc_a_admin").await, ["h3"]);
    // A batch that fails writes no password and ends no session.
    let err = store
        .commit(vec![
            Write::EndSessions {
                user_id: "acc_a_owner".into(),
                except: None,
            },
            Write::SetPassword {
                user_id: "no_such_user".into(),
                password_hash: "x".into(),
            },
        ])
        .await;
    assert!(err.is_err());
    assert_eq!(hashes_of(&*store, "acc_a_owner").await, ["h1"]);
    store
        .commit(vec![Write::EndSessions {
            user_id: "acc_a_owner".into(),
            except: None,
        }])
        .await
        .unwrap();
    assert!(hashes_of(&*store, "acc_a_owner").await.is_empty());
}

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
