//! Webhooks (SPEC §13): every billing event POSTed to a receiver, signed,
//! at least once, in order per account, retried under the same id until
//! a 2xx, written with the change or not at all, and sent once however
//! many instances run.

use crate::helpers::{spawn_app_configured, spawn_instances_configured, Client, TestApp, DAY};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use billing_api::config::WebhookConfig;
use billing_domain::wire::TestAccount;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SECRET: &str = "whsec_test_0123456789abcdef";

/// One request the receiver got, and how it answered.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub event_type: String,
    pub account_id: String,
    pub body: String,
    pub signature: String,
    pub answered: u16,
}

/// A webhook receiver on 127.0.0.1: answers 500 to the first
/// `fail_first` attempts of each event id, then 200.
pub struct Receiver {
    pub url: String,
    log: Arc<Mutex<Vec<Received>>>,
}

#[derive(Clone)]
struct ReceiverState {
    log: Arc<Mutex<Vec<Received>>>,
    fail_first: usize,
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: String,
) -> AxumStatus {
    let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let id = event["id"].as_str().unwrap_or_default().to_string();
    let mut log = state.log.lock().unwrap();
    let tries = log.iter().filter(|r| r.id == id).count();
    let status = if tries < state.fail_first {
        AxumStatus::INTERNAL_SERVER_ERROR
    } else {
        AxumStatus::OK
    };
    log.push(Received {
        event_type: event["type"].as_str().unwrap_or_default().to_string(),
        account_id: event["account_id"].as_str().unwrap_or_default().to_string(),
        id,
        signature: headers
            .get("billing-signature")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body,
        answered: status.as_u16(),
    });
    status
}

impl Receiver {
    pub async fn start(fail_first: usize) -> Receiver {
        let log = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/hooks", axum::routing::post(receive))
            .with_state(ReceiverState {
                log: log.clone(),
                fail_first,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, log }
    }

    pub fn config(&self) -> WebhookConfig {
        WebhookConfig {
            url: self.url.clone(),
            secret: SECRET.into(),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    /// The ids answered 200, in the order they were.
    pub fn delivered(&self) -> Vec<String> {
        self.received()
            .into_iter()
            .filter(|r| r.answered == 200)
            .map(|r| r.id)
            .collect()
    }

    /// Waits (up to 30 s) until `n` events were answered 200.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..300 {
            if self.delivered().len() >= n {
                return self.delivered();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{} of {n} webhooks delivered: {:?}",
            self.delivered().len(),
            self.received()
        );
    }
}

/// Whether `header` signs `body` with `secret`, made in the last minute.
fn verifies(header: &str, body: &str, secret: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let fresh = (chrono::Utc::now().timestamp() - t).abs() < 60;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    fresh && mac.verify_slice(&v1).is_ok()
}

/// A test-mode app sending webhooks to `receiver`.
async fn app_for(receiver: &Receiver) -> TestApp {
    let config = receiver.config();
    spawn_app_configured(move |c| c.webhook = Some(config), None).await
}

async fn stored_ids(app: &TestApp, account: &TestAccount) -> Vec<String> {
    app.state
        .store
        .events(&account.account_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

async fn stored_types(app: &TestApp, account: &TestAccount) -> Vec<String> {
    app.state
        .store
        .events(&account.account_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_type)
        .collect()
}

async fn change(owner: &Client, body: Value) -> reqwest::Response {
    let o = owner.overview().await;
    owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", o.version))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn acknowledgements(owner: &Client) -> Vec<Value> {
    let (_, flow) = owner.get_json("/api/cancel-flow").await;
    flow["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect()
}

async fn schedule_cancel(owner: &Client) {
    let ack = acknowledgements(owner).await;
    let res = owner
        .post("/api/subscription/cancel")
        .json(&json!({ "confirmation": "CONFIRM", "acknowledged": ack }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

fn is_subsequence(wanted: &[&str], of: &[String]) -> bool {
    let mut it = of.iter();
    wanted.iter().all(|w| it.any(|t| t == w))
}

#[tokio::test]
async fn each_event_is_signed_retried_under_the_same_id_and_taken_once() {
    let receiver = Receiver::start(1).await;
    let app = app_for(&receiver).await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(
        change(&owner, json!({ "seats": 14 })).await.status(),
        StatusCode::OK
    );
    owner.pause().await;

    let stored = stored_ids(&app, &account).await;
    let types = stored_types(&app, &account).await;
    assert_eq!(
        types,
        [
            "subscription.created",
            "invoice.paid",
            "subscription.updated",
            "subscription.paused"
        ]
    );
    let delivered = receiver.wait_for(stored.len()).await;
    // In the order they happened, each once.
    assert_eq!(delivered, stored);
    // Nothing more comes once all were taken.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let all = receiver.received();
    assert_eq!(all.len(), 2 * stored.len(), "{all:?}");

    for id in &stored {
        let tries: Vec<&Received> = all.iter().filter(|r| &r.id == id).collect();
        assert_eq!(
            tries.iter().map(|r| r.answered).collect::<Vec<_>>(),
            [500, 200],
            "{id}"
        );
        // The retry is the same event, byte for byte.
        assert_eq!(tries[0].body, tries[1].body);
        for r in &tries {
            assert!(verifies(&r.signature, &r.body, SECRET), "{}", r.signature);
            assert!(!verifies(&r.signature, &r.body, "whsec_other_0123456789"));
            assert!(!verifies(&r.signature, &format!("{} ", r.body), SECRET));
        }
    }
    // An account's next event goes only after its previous one was taken.
    for pair in stored.windows(2) {
        let taken = all
            .iter()
            .position(|r| r.id == pair[0] && r.answered == 200)
            .unwrap();
        let next_first = all.iter().position(|r| r.id == pair[1]).unwrap();
        assert!(
            taken < next_first,
            "{} before {} was taken",
            pair[1],
            pair[0]
        );
    }

    // The bodies: the fields of SPEC §13 and a snapshot of the subscription.
    let body = |i: usize| -> Value {
        let r = all.iter().find(|r| r.id == stored[i]).unwrap();
        serde_json::from_str(&r.body).unwrap()
    };
    let created = body(0);
    assert_eq!(created["type"], "subscription.created");
    assert_eq!(created["account_id"], account.account_id.as_str());
    assert!(created["created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        (
            &created["data"]["status"],
            &created["data"]["access"],
            &created["data"]["plan"],
            &created["data"]["seats"]
        ),
        (
            &json!("active"),
            &json!("full"),
            &json!("business"),
            &json!(12)
        )
    );
    let paid = body(1);
    let invoices = owner.invoices().await;
    let change_invoice = invoices
        .iter()
        .find(|i| i.id == paid["data"]["invoice"]["id"].as_str().unwrap())
        .expect("the paid invoice");
    assert_eq!(
        paid["data"]["invoice"]["total"],
        json!(change_invoice.total)
    );
    assert_eq!(body(2)["data"]["seats"], 14);
    let paused = body(3);
    assert_eq!(
        (&paused["data"]["status"], &paused["data"]["access"]),
        (&json!("paused"), &json!("billing_only"))
    );
    let keys: Vec<&String> = paused.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["account_id", "created", "data", "id", "type"]);
    // Each event records its delivery.
    let events = app.state.store.events(&account.account_id).await.unwrap();
    assert!(events
        .iter()
        .all(|e| e.delivered_at.is_some() && e.attempts == 2));
}

#[tokio::test]
async fn the_events_tell_the_account_s_story_in_order() {
    let receiver = Receiver::start(0).await;
    let app = app_for(&receiver).await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    let o = owner.overview().await;
    app.advance(
        &account,
        (o.current_period_end - o.current_period_start).num_seconds(),
    )
    .await;
    app.advance(&account, 3 * DAY).await;
    assert_eq!(
        owner.add_card("4242424242424242").await.status(),
        StatusCode::OK
    );
    owner.pause().await;
    let res = owner.post("/api/subscription/resume").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    schedule_cancel(&owner).await;
    let res = owner
        .delete("/api/subscription/cancel")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    schedule_cancel(&owner).await;
    app.advance(&account, 40 * DAY).await;
    app.advance(&account, 70 * DAY).await;

    let types = stored_types(&app, &account).await;
    let story = [
        "subscription.created",
        "invoice.payment_failed",
        "account.past_due",
        "account.deactivated",
        "invoice.paid",
        "account.reactivated",
        "subscription.paused",
        "subscription.resumed",
        "subscription.cancel_scheduled",
        "subscription.cancel_withdrawn",
        "subscription.cancel_scheduled",
        "subscription.canceled",
        "account.deleted",
    ];
    assert!(is_subsequence(&story, &types), "{types:?}");
    let delivered = receiver.wait_for(types.len()).await;
    assert_eq!(delivered, stored_ids(&app, &account).await);
    let received = receiver.received();
    let of_type = |t: &str| -> Vec<Value> {
        received
            .iter()
            .filter(|r| r.event_type == t)
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    };
    let past_due = &of_type("account.past_due")[0];
    assert_eq!(
        (&past_due["data"]["status"], &past_due["data"]["access"]),
        (&json!("past_due"), &json!("full"))
    );
    let failed = &of_type("invoice.payment_failed")[0];
    assert!(failed["data"]["invoice"]["id"].is_string());
    assert_eq!(failed["data"]["invoice"]["total"]["currency"], "USD");
    assert_eq!(
        of_type("account.deactivated")[0]["data"]["access"],
        "billing_only"
    );
    assert_eq!(
        of_type("account.reactivated")[0]["data"]["status"],
        "active"
    );
    assert_eq!(
        of_type("subscription.canceled")[0]["data"]["access"],
        "billing_only"
    );
    let deleted = &of_type("account.deleted")[0];
    assert_eq!(
        (&deleted["data"]["status"], &deleted["data"]["access"]),
        (&json!("deleted"), &json!("none"))
    );
    assert!(received.iter().all(|r| r.account_id == account.account_id));
}

#[tokio::test]
async fn a_refund_is_an_event_with_its_amount_and_where_it_went() {
    let receiver = Receiver::start(0).await;
    let app = app_for(&receiver).await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    app.advance(&account, 10 * DAY).await;
    let (status, quote) = owner.get_json("/api/refunds").await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let res = owner
        .post("/api/refunds")
        .json(&json!({ "confirmation": "CONFIRM" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let types = stored_types(&app, &account).await;
    assert!(
        is_subsequence(&["refund.created", "subscription.canceled"], &types),
        "{types:?}"
    );
    receiver.wait_for(types.len()).await;
    let refund: Value = receiver
        .received()
        .iter()
        .find(|r| r.event_type == "refund.created")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .unwrap();
    let r = &refund["data"]["refund"];
    assert_eq!(r["amount"], quote["amount"]);
    assert_eq!(r["to_card"], quote["to_card"]);
    assert_eq!(r["to_balance"], quote["to_balance"]);
    assert!(["card", "balance", "card_and_balance"].contains(&r["source"].as_str().unwrap()));
}

#[tokio::test]
async fn a_change_that_is_refused_publishes_nothing() {
    let receiver = Receiver::start(0).await;
    let app = app_for(&receiver).await;
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let before = stored_types(&app, &account).await;
    // A stale version: 412, nothing changed, nothing published.
    let o = owner.overview().await;
    let res = owner
        .post("/api/subscription/changes")
        .header("if-match", format!("\"{}\"", o.version - 1))
        .json(&json!({ "seats": 20 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    // An out-of-range value: 400, nothing published either.
    let res = change(&owner, json!({ "seats": 0 })).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(stored_types(&app, &account).await, before);
    // A declined charge: the failed payment is told, no subscription change.
    assert_eq!(
        owner.add_card("4000000000000341").await.status(),
        StatusCode::OK
    );
    let res = change(&owner, json!({ "seats": 20 })).await;
    assert_eq!(res.status(), StatusCode::PAYMENT_REQUIRED);
    let after = stored_types(&app, &account).await;
    let new: Vec<&String> = after[before.len()..].iter().collect();
    assert!(!new.iter().any(|t| *t == "subscription.updated"), "{new:?}");
    assert_eq!(owner.overview().await.seats.purchased, 12);
    receiver.wait_for(after.len()).await;
    assert_eq!(receiver.received().len(), after.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_deliver_each_event_exactly_once() {
    let receiver = Receiver::start(0).await;
    let config = receiver.config();
    let apps = spawn_instances_configured(3, |c| c.webhook = Some(config.clone())).await;
    let mut accounts = Vec::new();
    for i in 0..6 {
        let app = &apps[i % 3];
        let account = app.test_account().await;
        let owner = app.signed_in(&account, "owner").await;
        assert_eq!(
            change(&owner, json!({ "seats": 13 })).await.status(),
            StatusCode::OK
        );
        let other = apps[(i + 1) % 3].signed_in(&account, "owner").await;
        assert_eq!(
            change(&other, json!({ "seats": 14 })).await.status(),
            StatusCode::OK
        );
        accounts.push(account);
    }
    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
    let mut total = 0;
    for account in &accounts {
        let ids = stored_ids(&apps[0], account).await;
        total += ids.len();
        stored.insert(account.account_id.clone(), ids);
    }
    receiver.wait_for(total).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let received = receiver.received();
    assert_eq!(received.len(), total, "each event sent once: {received:?}");
    for (account_id, ids) in &stored {
        let got: Vec<String> = received
            .iter()
            .filter(|r| &r.account_id == account_id)
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(&got, ids, "in order for {account_id}");
    }
}
