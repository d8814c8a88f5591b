//! Several API instances on one database (SPEC §10): clock advances,
//! changes and idempotent retries raced across them still bill each period
//! once, charge each change once and queue each e-mail once.

use crate::helpers::{fresh_key, spawn_instances, Client, TestApp, DAY};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::wire::{GatewayChargeList, TestAccount};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashSet;

async fn gateway_charges(app: &TestApp, account: &TestAccount) -> GatewayChargeList {
    let res = app
        .client()
        .get(&format!(
            "/api/test/accounts/{}/gateway-charges",
            account.account_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Sends `body` to the change endpoint under one idempotency key.
async fn change_with_key(
    owner: &Client,
    key: &str,
    version: i64,
    body: &serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let res = owner
        .post_raw("/api/subscription/changes")
        .header("idempotency-key", key)
        .header("if-match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_bill_each_period_and_make_each_charge_once() {
    let apps = spawn_instances(3).await;
    let account = apps[0].test_account().await;
    // Sessions live in the database: each instance knows the same owner.
    let mut owners = Vec::new();
    for app in &apps {
        owners.push(app.signed_in(&account, "owner").await);
    }
    let start = owners[0].overview().await;

    // Nine advances of ten days at once, three to each instance: the clock
    // ends ninety days on, and each period crossed is billed once.
    let advances = (0..9).map(|i| apps[i % 3].advance(&account, 10 * DAY));
    let ends = futures::future::join_all(advances).await;
    let end = *ends.iter().max().unwrap();
    assert_eq!(end, start.as_of + chrono::Duration::days(90));
    let seen: HashSet<_> = ends.iter().collect();
    assert_eq!(seen.len(), 9, "every advance moved the clock: {ends:?}");

    let invoices = owners[1].invoices().await;
    let mut periods: Vec<_> = invoices
        .iter()
        .filter(|i| i.status == InvoiceStatus::Paid)
        .filter_map(|i| Some((i.period_start?, i.period_end?)))
        .collect();
    periods.sort();
    let distinct: HashSet<_> = periods.iter().collect();
    assert_eq!(
        distinct.len(),
        periods.len(),
        "a period billed twice: {periods:?}"
    );
    // Monthly periods from the first to the current one, each billed once
    // and none skipped: every paid period ends where the next begins.
    let overview = owners[2].overview().await;
    assert!(overview.current_period_end > end && overview.current_period_start <= end);
    assert!(periods.len() >= 3, "{periods:?}");
    assert_eq!(periods[0].0, start.current_period_start);
    assert_eq!(periods.last().unwrap().0, overview.current_period_start);
    for pair in periods.windows(2) {
        assert_eq!(pair[0].1, pair[1].0, "{periods:?}");
    }
    let charged = gateway_charges(&apps[0], &account).await;
    let paid_total: i64 = invoices
        .iter()
        .filter(|i| i.status == InvoiceStatus::Paid)
        .map(|i| i.total.amount())
        .sum();
    let charged_total: i64 = charged
        .data
        .iter()
        .filter(|c| c.outcome == "succeeded")
        .map(|c| c.amount)
        .sum();
    assert_eq!(charged_total, paid_total, "{:#?}", charged.data);
    // One "paid" e-mail per renewal (the first period is paid at creation).
    assert_eq!(
        apps[0].count_emails(&account, "invoice_paid").await,
        periods.len() - 1
    );

    // One change sent to every instance at once under one key: one charge,
    // and every answer is the first one's (or says it is still running).
    let before = owners[0].overview().await;
    let key = fresh_key();
    let body = json!({ "seats": before.seats.purchased + 2 });
    let sends = owners
        .iter()
        .map(|o| change_with_key(o, &key, before.version, &body));
    let answers = futures::future::join_all(sends).await;
    let ok: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .collect();
    assert!(!ok.is_empty(), "{answers:?}");
    for (status, answer) in &answers {
        match *status {
            StatusCode::OK => assert_eq!(answer, &ok[0].1),
            StatusCode::CONFLICT => {
                assert_eq!(answer["error"]["code"], "idempotency_in_progress")
            }
            other => panic!("answered {other}: {answer}"),
        }
    }
    // A retry later replays the same answer without a second charge.
    let (status, replay) = change_with_key(&owners[2], &key, before.version, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replay, ok[0].1);
    let after = owners[1].overview().await;
    assert_eq!(after.seats.purchased, before.seats.purchased + 2);
    let charges_after = gateway_charges(&apps[1], &account).await;
    assert_eq!(charges_after.data.len(), charged.data.len() + 1);

    // Different changes against the same version on different instances:
    // one is made, the others are stale (412) and change nothing.
    let version = after.version;
    let sends = owners.iter().enumerate().map(|(i, o)| {
        let body = json!({ "seats": after.seats.purchased + 1 + i as u32 });
        async move { change_with_key(o, &fresh_key(), version, &body).await }
    });
    let answers = futures::future::join_all(sends).await;
    let made = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let stale = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((made, stale), (1, 2), "{answers:?}");
    let charges_final = gateway_charges(&apps[2], &account).await;
    assert_eq!(charges_final.data.len(), charges_after.data.len() + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invoice_numbers_raced_across_instances_neither_repeat_nor_leave_gaps() {
    let apps = spawn_instances(3).await;
    let mut accounts = Vec::new();
    for i in 0..6 {
        accounts.push(apps[i % 3].test_account().await);
    }
    // Each account renews twice, its advances spread over the instances
    // and run at once with every other account's.
    let advances = accounts.iter().enumerate().flat_map(|(i, account)| {
        let apps = &apps;
        (0..2).map(move |n| apps[(i + n) % 3].advance(account, 40 * DAY))
    });
    futures::future::join_all(advances).await;
    let mut numbers = Vec::new();
    for (i, account) in accounts.iter().enumerate() {
        let owner = apps[i % 3].signed_in(account, "owner").await;
        numbers.extend(owner.invoices().await.into_iter().map(|inv| inv.number));
    }
    let unique: HashSet<&String> = numbers.iter().collect();
    assert_eq!(unique.len(), numbers.len(), "no repeats: {numbers:?}");
    numbers.sort();
    let expected: Vec<String> = (1..=numbers.len() as i64)
        .map(|n| format!("INV-{n:06}"))
        .collect();
    assert_eq!(numbers, expected, "no gaps");
    assert!(numbers.len() >= 6 * 2, "{numbers:?}");
}
