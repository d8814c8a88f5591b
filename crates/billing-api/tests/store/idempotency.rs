//! Idempotency keys (claimed, finished and replayed, abandoned, parked,
//! expired) and the simulated gateway's charges, made once per key.

use crate::fixtures::{store_with_account, t};
use billing_api::store::{
    GatewayChargeRecord, GatewayTokenRecord, IdempotencyBegin, StoredResponse,
};

fn response() -> StoredResponse {
    StoredResponse {
        status: 201,
        content_type: Some("application/json".into()),
        etag: Some("\"v2\"".into()),
        body: r#"{"ok":true}"#.into(),
    }
}

#[tokio::test]
async fn a_finished_key_replays_its_response() {
    let store = store_with_account("acc_a").await;
    let begin = |hash: &'static str| store.idempotency_begin("user_1", "key_1", hash, t(10), t(0));
    assert!(matches!(
        begin("hash_a").await.unwrap(),
        IdempotencyBegin::New
    ));
    assert!(matches!(
        begin("hash_a").await.unwrap(),
        IdempotencyBegin::InProgress
    ));
    assert!(matches!(
        begin("hash_b").await.unwrap(),
        IdempotencyBegin::Mismatch
    ));
    store
        .idempotency_finish("user_1", "key_1", &response())
        .await
        .unwrap();
    match begin("hash_a").await.unwrap() {
        IdempotencyBegin::Replay(r) => {
            assert_eq!(r.status, 201);
            assert_eq!(r.content_type.as_deref(), Some("application/json"));
            assert_eq!(r.etag.as_deref(), Some("\"v2\""));
            assert_eq!(r.body, r#"{"ok":true}"#);
        }
        other => panic!("expected a replay, got {other:?}"),
    }
    assert!(matches!(
        begin("hash_b").await.unwrap(),
        IdempotencyBegin::Mismatch
    ));
    // Keys are per scope.
    let other = store.idempotency_begin("user_2", "key_1", "hash_b", t(10), t(0));
    assert!(matches!(other.await.unwrap(), IdempotencyBegin::New));
}

#[tokio::test]
async fn an_abandoned_key_runs_again_but_a_finished_one_is_never_released() {
    let store = store_with_account("acc_a").await;
    let begin = || store.idempotency_begin("user_1", "key_1", "hash_a", t(10), t(0));
    assert!(matches!(begin().await.unwrap(), IdempotencyBegin::New));
    store.idempotency_abandon("user_1", "key_1").await.unwrap();
    assert!(matches!(begin().await.unwrap(), IdempotencyBegin::New));
    store
        .idempotency_finish("user_1", "key_1", &response())
        .await
        .unwrap();
    store.idempotency_abandon("user_1", "key_1").await.unwrap();
    assert!(matches!(
        begin().await.unwrap(),
        IdempotencyBegin::Replay(_)
    ));
}

#[tokio::test]
async fn a_parked_key_is_claimed_again_by_one_retry_at_a_time() {
    let store = store_with_account("acc_a").await;
    let begin = || store.idempotency_begin("user_1", "key_1", "hash_a", t(10), t(0));
    assert!(matches!(begin().await.unwrap(), IdempotencyBegin::New));
    store.idempotency_park("user_1", "key_1").await.unwrap();
    // Parked keys are not released by abandoning.
    store.idempotency_abandon("user_1", "key_1").await.unwrap();
    assert!(matches!(begin().await.unwrap(), IdempotencyBegin::New));
    assert!(matches!(
        begin().await.unwrap(),
        IdempotencyBegin::InProgress
    ));
    store
        .idempotency_finish("user_1", "key_1", &response())
        .await
        .unwrap();
    assert!(matches!(
        begin().await.unwrap(),
        IdempotencyBegin::Replay(_)
    ));
}

#[tokio::test]
async fn keys_older_than_the_expiry_are_forgotten() {
    let store = store_with_account("acc_a").await;
    let first = store.idempotency_begin("user_1", "key_1", "hash_a", t(10), t(0));
    assert!(matches!(first.await.unwrap(), IdempotencyBegin::New));
    store
        .idempotency_finish("user_1", "key_1", &response())
        .await
        .unwrap();
    let later = store.idempotency_begin("user_1", "key_1", "hash_b", t(100), t(11));
    assert!(matches!(later.await.unwrap(), IdempotencyBegin::New));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_first_uses_of_a_key_one_runs() {
    let store = store_with_account("acc_a").await;
    let claims = (0..10).map(|_| {
        let store = store.store.clone();
        tokio::spawn(async move {
            store
                .idempotency_begin("user_1", "key_1", "hash_a", t(10), t(0))
                .await
                .unwrap()
        })
    });
    let mut new = 0;
    for claim in claims.collect::<Vec<_>>() {
        match claim.await.unwrap() {
            IdempotencyBegin::New => new += 1,
            IdempotencyBegin::InProgress => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(new, 1);
}

fn charge(id: &str, key: &str, token: &str, amount: i64, at: i64) -> GatewayChargeRecord {
    GatewayChargeRecord {
        id: id.into(),
        token: token.into(),
        amount,
        currency: "USD".into(),
        idempotency_key: key.into(),
        outcome: "succeeded".into(),
        created_at: t(at),
    }
}

#[tokio::test]
async fn a_gateway_charge_is_made_once_per_key() {
    let store = store_with_account("acc_a").await;
    let token = GatewayTokenRecord {
        token: "tok_acc_a_0".into(),
        brand: "visa".into(),
        last4: "4242".into(),
        exp_month: 12,
        exp_year: 2034,
        behaviour: "succeed".into(),
        created_at: t(0),
    };
    store.insert_gateway_token(&token).await.unwrap();
    let stored = store.gateway_token("tok_acc_a_0").await.unwrap().unwrap();
    assert_eq!(
        (stored.behaviour.as_str(), stored.exp_year),
        ("succeed", 2034)
    );
    assert!(store.gateway_token("tok_missing").await.unwrap().is_none());

    let first = store
        .record_gateway_charge(&charge("ch_1", "key_1", "tok_acc_a_0", 3000, 1))
        .await
        .unwrap();
    assert_eq!(first.id, "ch_1");
    let again = store
        .record_gateway_charge(&charge("ch_2", "key_1", "tok_acc_a_0", 9999, 2))
        .await
        .unwrap();
    assert_eq!(
        (again.id.as_str(), again.amount),
        ("ch_1", 3000),
        "the first charge"
    );

    // A refund names the charge it refunds as its token; another card's
    // charge is not the account's.
    store
        .record_gateway_charge(&charge("re_1", "key_2", "ch_1", 1000, 3))
        .await
        .unwrap();
    store
        .record_gateway_charge(&charge("ch_9", "key_9", "tok_other", 500, 3))
        .await
        .unwrap();
    let ids: Vec<String> = store
        .gateway_charges_of_account("acc_a")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["ch_1", "re_1"]);
}
