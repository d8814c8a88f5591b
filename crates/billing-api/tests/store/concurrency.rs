//! What holds when many act at once: per-account numbers stay distinct and
//! consecutive, and the account lock admits one holder at a time without
//! starving the queries its holders run.

use crate::fixtures::{audit, entry, fresh_store, new_account, open_invoice, store_with_account};
use billing_api::store::{Store, Write};
use billing_domain::ledger::LedgerKind;
use std::sync::Arc;
use std::time::Duration;

/// Long enough that a hang is a failure, never a slow machine's verdict.
const PATIENCE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_for_one_account_get_distinct_consecutive_numbers() {
    let store = store_with_account("acc_a").await;
    let commits = (1..=20).map(|i| {
        let store = store.store.clone();
        tokio::spawn(async move {
            store
                .commit(vec![
                    Write::Audit(audit("acc_a", &format!("aud_{i:02}"), i)),
                    Write::InsertInvoice(open_invoice("acc_a", &format!("inv_{i:02}"), 1000, i)),
                    Write::Ledger(entry(
                        "acc_a",
                        &format!("led_{i:02}"),
                        LedgerKind::CreditGranted,
                        10,
                    )),
                ])
                .await
        })
    });
    for commit in commits.collect::<Vec<_>>() {
        commit.await.unwrap().expect("every commit lands");
    }

    let invoices = store.invoices("acc_a", 100, None).await.unwrap();
    let seqs: Vec<i64> = invoices.iter().map(|i| i.seq).collect();
    assert_eq!(seqs, (1..=20).rev().collect::<Vec<_>>());

    // Paging one line at a time walks the audit log by its numbers: a number
    // given twice would make the walk skip a line.
    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .audit_page("acc_a", 1, after.as_deref())
            .await
            .unwrap();
        let Some(line) = page.into_iter().next() else {
            break;
        };
        after = Some(line.id.clone());
        walked.push(line.id);
    }
    walked.sort();
    assert_eq!(
        walked,
        (1..=20).map(|i| format!("aud_{i:02}")).collect::<Vec<_>>()
    );

    assert_eq!(store.ledger("acc_a").await.unwrap().len(), 20);
    assert_eq!(
        store
            .subscription("acc_a")
            .await
            .unwrap()
            .unwrap()
            .credit_balance,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_credit_applications_never_overdraw_the_balance() {
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
    let spends = (1..=10).map(|i| {
        let store = store.store.clone();
        tokio::spawn(async move {
            store
                .commit(vec![Write::Ledger(entry(
                    "acc_a",
                    &format!("led_spend_{i}"),
                    LedgerKind::CreditApplied,
                    100,
                ))])
                .await
        })
    });
    let mut landed = 0;
    for spend in spends.collect::<Vec<_>>() {
        match spend.await.unwrap() {
            Ok(()) => landed += 1,
            Err(billing_api::store::StoreError::Ledger(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(landed, 5);
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

/// Holds `acc`'s lock, fires `fired` once it is about to let go, then lets go;
/// meanwhile a second task waits for the lock and reports whether `fired`
/// had already been fired when it got it.
async fn second_holder_sees_the_first_let_go(first: Arc<dyn Store>, second: Arc<dyn Store>) {
    let guard = first.lock_account("acc_a").await.unwrap();
    let (fire, fired) = tokio::sync::oneshot::channel::<()>();
    let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
    let waiter = tokio::spawn(async move {
        started_tx.send(()).ok();
        let _guard = second.lock_account("acc_a").await.unwrap();
        let mut fired = fired;
        fired.try_recv().is_ok()
    });
    started.await.unwrap();
    // Give a lock that does not exclude every chance to show it; the verdict
    // below does not depend on this pause.
    tokio::time::sleep(Duration::from_millis(300)).await;
    fire.send(()).unwrap();
    drop(guard);
    let saw_fire = tokio::time::timeout(PATIENCE, waiter)
        .await
        .expect("the second holder gets the lock once the first lets go")
        .unwrap();
    assert!(
        saw_fire,
        "the second holder got the lock while the first held it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_account_lock_admits_a_second_holder_only_after_the_first_lets_go() {
    let store = store_with_account("acc_a").await;
    second_holder_sees_the_first_let_go(store.store.clone(), store.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_stores_on_one_shared_database_exclude_each_other() {
    let store = store_with_account("acc_a").await;
    if store.url.starts_with("sqlite:") {
        // An embedded database belongs to one process and one store.
        return;
    }
    let other = billing_api::store::connect(&store.url).await.unwrap();
    second_holder_sees_the_first_let_go(store.store.clone(), other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_accounts_lock_is_not_held_up() {
    let store = fresh_store().await;
    for acc in ["acc_a", "acc_b"] {
        store.insert_account(&new_account(acc)).await.unwrap();
    }
    let _a = store.lock_account("acc_a").await.unwrap();
    let _b = tokio::time::timeout(PATIENCE, store.lock_account("acc_b"))
        .await
        .expect("acc_b's lock is free")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_lock_holders_still_get_their_queries_run() {
    let store = fresh_store().await;
    let accounts: Vec<String> = (0..24).map(|i| format!("acc_{i:02}")).collect();
    for acc in &accounts {
        store.insert_account(&new_account(acc)).await.unwrap();
    }
    // Every account locked by two tasks at once, each writing and reading
    // while it holds the lock: more holders and waiters than connections.
    let work = accounts
        .iter()
        .flat_map(|acc| [0, 1].map(|n| (acc.clone(), n)))
        .map(|(acc, n)| {
            let store = store.store.clone();
            tokio::spawn(async move {
                let _guard = store.lock_account(&acc).await.unwrap();
                store
                    .commit(vec![Write::Audit(audit(
                        &acc,
                        &format!("aud_{acc}_{n}"),
                        n,
                    ))])
                    .await
                    .unwrap();
                store.subscription(&acc).await.unwrap().unwrap();
                store.audit_log(&acc, 10).await.unwrap().len()
            })
        });
    let all = futures_join(work.collect()).await;
    assert_eq!(all.len(), 48);
    for acc in &accounts {
        assert_eq!(store.audit_log(acc, 10).await.unwrap().len(), 2);
    }
}

/// Awaits every task, failing if they do not all finish in time.
async fn futures_join<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    tokio::time::timeout(PATIENCE, async {
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    })
    .await
    .expect("no task starved")
}
