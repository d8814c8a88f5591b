//! Webhook delivery (SPEC §13). Events wait in the store's webhook outbox,
//! written with the change they report; this sender claims each account's
//! oldest event (so an account's events go out in order, one at a time,
//! whichever instance sends them), POSTs it signed, and marks the outcome:
//! a 2xx delivers it, anything else (an error status, a time-out, no
//! connection) schedules a retry with exponential backoff, for 3 days
//! before it is given up. The body is made from the stored event alone,
//! so every retry sends the same bytes under the same `id`.

use crate::config::{Mode, WebhookConfig};
use crate::state::AppState;
use crate::store::{EventAttempt, EventRecord};
use billing_domain::webhook::{access, retry, Retry};
use billing_domain::wire::WebhookEvent;
use billing_domain::EventType;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "Billing-Signature";

/// The longest a receiver may take to answer.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Events claimed per round (each of another account, sent at once).
const CLAIM: i64 = 32;

/// How long a claim holds: well past every request's time-out.
const LEASE_SECONDS: i64 = 120;

/// The first retry's wait in production; doubled per failure.
const RETRY_BASE_SECONDS: i64 = 30;

/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The JSON body of a stored event: `{ id, type, created, account_id,
/// data }`, `data` holding the subscription as the change left it (with
/// the access it gives) and the event's own facts.
pub fn body(event: &EventRecord) -> anyhow::Result<String> {
    let event_type = EventType::parse(&event.event_type).ok_or_else(|| {
        anyhow::anyhow!("event {}: unknown type `{}`", event.id, event.event_type)
    })?;
    let mut data = Map::new();
    if let Some(s) = &event.snapshot {
        let snapshot = json!({
            "status": s.status,
            "access": access(s.status),
            "plan": s.plan,
            "interval": s.interval,
            "seats": s.seats,
            "add_ons": s.add_ons,
            "period_start": s.period_start,
            "period_end": s.period_end,
            "cancel_at": s.cancel_at,
        });
        if let Value::Object(fields) = snapshot {
            data.extend(fields);
        }
    }
    if let Value::Object(facts) = &event.details {
        data.extend(facts.clone());
    }
    Ok(serde_json::to_string(&WebhookEvent {
        id: event.id.clone(),
        event_type,
        created: event.created_at,
        account_id: event.account_id.clone(),
        data: Value::Object(data),
    })?)
}

/// The HTTP client of the sender: a bounded time per request, no redirects
/// followed (a receiver that moved must be configured anew).
pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "billing-portal-webhooks/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()?)
}

/// One round: claims what is due and sends it, each account's oldest at
/// once. Returns how many were delivered.
pub async fn deliver_pending(
    state: &AppState,
    client: &reqwest::Client,
    config: &WebhookConfig,
) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let until = now + Duration::seconds(LEASE_SECONDS);
    let claimed = state.store.claim_events(CLAIM, now, until).await?;
    let sends = claimed
        .iter()
        .map(|event| deliver_one(state, client, config, event));
    let delivered = futures::future::join_all(sends)
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<bool>>>()?;
    Ok(delivered.into_iter().filter(|d| *d).count())
}

/// Sends one event and records the outcome; whether it was delivered.
async fn deliver_one(
    state: &AppState,
    client: &reqwest::Client,
    config: &WebhookConfig,
    event: &EventRecord,
) -> anyhow::Result<bool> {
    let body = body(event)?;
    let t = state.clock.now().timestamp();
    let result = client
        .post(&config.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            SIGNATURE_HEADER,
            signature(&config.secret, t, body.as_bytes()),
        )
        .body(body)
        .send()
        .await;
    let at = state.clock.now();
    let error = match result {
        Ok(res) if res.status().is_success() => None,
        Ok(res) => Some(format!("the receiver answered {}", res.status())),
        Err(e) if e.is_timeout() => {
            Some(format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()))
        }
        Err(e) => Some(format!("could not reach the receiver: {e}")),
    };
    let Some(error) = error else {
        state
            .store
            .mark_event(&event.id, &EventAttempt::Delivered { at })
            .await?;
        return Ok(true);
    };
    let attempt = failed(state.config.mode, event, at, error);
    match &attempt {
        EventAttempt::GaveUp { error, .. } => {
            tracing::error!(event = %event.id, account = %event.account_id, %error, "webhook given up after 3 days of failures")
        }
        EventAttempt::Failed { error, .. } => {
            tracing::warn!(event = %event.id, %error, "webhook not delivered; will retry")
        }
        EventAttempt::Delivered { .. } => {}
    }
    state.store.mark_event(&event.id, &attempt).await?;
    Ok(false)
}

/// What a failed attempt at `at` leads to: a retry after the backoff, or
/// (after 3 days of failures) giving up. In test mode retries are due at
/// once, so each round of the sender tries again.
fn failed(mode: Mode, event: &EventRecord, at: DateTime<Utc>, error: String) -> EventAttempt {
    let base = if mode == Mode::Test {
        0
    } else {
        RETRY_BASE_SECONDS
    };
    let attempts = u32::try_from(event.attempts + 1).unwrap_or(u32::MAX);
    let failing_for = (at - event.first_attempt_at.unwrap_or(at)).num_seconds();
    match retry(attempts, failing_for, base) {
        Retry::After(seconds) => EventAttempt::Failed {
            at,
            error,
            retry_at: at + Duration::seconds(seconds),
        },
        Retry::GiveUp => EventAttempt::GaveUp { at, error },
    }
}

/// Sends webhooks forever: a round every `every`, at once again after a
/// round that delivered something (an account's next event is then due).
pub async fn deliver_forever(state: AppState, config: WebhookConfig, every: std::time::Duration) {
    let client = match client() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook client; events stay in the outbox");
            return;
        }
    };
    loop {
        match deliver_pending(&state, &client, &config).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "delivering webhooks"),
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::from_unix;

    #[test]
    fn the_signature_is_the_hmac_of_the_time_and_the_raw_body() {
        // HMAC-SHA256("secret", "1700000000.{}"), computed independently
        // (`printf '1700000000.{}' | openssl dgst -sha256 -hmac secret`).
        let sig = signature("secret", 1_700_000_000, b"{}");
        assert_eq!(
            sig,
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
        assert_eq!(sig, signature("secret", 1_700_000_000, b"{}"));
        assert_ne!(sig, signature("secret", 1_700_000_001, b"{}"));
        assert_ne!(sig, signature("secreT", 1_700_000_000, b"{}"));
        assert_ne!(sig, signature("secret", 1_700_000_000, b"{ }"));
    }

    fn event(attempts: i64, first: Option<i64>) -> EventRecord {
        EventRecord {
            seq: 1,
            id: "evt_1".into(),
            account_id: "acct_1".into(),
            event_type: EventType::InvoicePaid.as_str().into(),
            created_at: from_unix(1_700_000_000),
            details: json!({ "invoice": { "id": "in_1" } }),
            snapshot: None,
            attempts,
            first_attempt_at: first.map(from_unix),
            delivered_at: None,
            gave_up_at: None,
            last_error: None,
        }
    }

    #[test]
    fn the_body_is_the_same_every_time_and_names_the_event() {
        let e = event(0, None);
        let one = body(&e).unwrap();
        assert_eq!(one, body(&e).unwrap());
        let v: Value = serde_json::from_str(&one).unwrap();
        assert_eq!(v["id"], "evt_1");
        assert_eq!(v["type"], EventType::InvoicePaid.as_str());
        assert_eq!(v["created"], "2023-11-14T22:13:20Z");
        assert_eq!(v["account_id"], "acct_1");
        assert_eq!(v["data"]["invoice"]["id"], "in_1");
    }

    #[test]
    fn failures_back_off_in_production_retry_at_once_in_tests_and_give_up_after_three_days() {
        let at = from_unix(1_700_000_000);
        match failed(Mode::Production, &event(0, None), at, "500".into()) {
            EventAttempt::Failed { retry_at, .. } => assert_eq!((retry_at - at).num_seconds(), 30),
            other => panic!("{other:?}"),
        }
        match failed(
            Mode::Production,
            &event(3, Some(1_700_000_000 - 600)),
            at,
            "500".into(),
        ) {
            EventAttempt::Failed { retry_at, .. } => assert_eq!((retry_at - at).num_seconds(), 240),
            other => panic!("{other:?}"),
        }
        match failed(
            Mode::Test,
            &event(3, Some(1_700_000_000 - 600)),
            at,
            "500".into(),
        ) {
            EventAttempt::Failed { retry_at, .. } => assert_eq!(retry_at, at),
            other => panic!("{other:?}"),
        }
        let three_days_ago = 1_700_000_000 - 3 * 86_400;
        assert!(matches!(
            failed(
                Mode::Production,
                &event(20, Some(three_days_ago)),
                at,
                "500".into()
            ),
            EventAttempt::GaveUp { .. }
        ));
    }
}
