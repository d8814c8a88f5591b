//! The mail outbox: queued with the change it reports, delivered oldest
//! first (in queueing order within a second), marked after each attempt.

use crate::fixtures::{email, store_with_account, t};
use billing_api::store::Write;

#[tokio::test]
async fn e_mails_go_out_oldest_first_and_leave_the_queue_once_sent() {
    let store = store_with_account("acc_a").await;
    // Queued out of id order, several in the same second.
    store
        .commit(vec![
            Write::Email(email("acc_a", "em_c", 5)),
            Write::Email(email("acc_a", "em_a", 5)),
            Write::Email(email("acc_a", "em_z", 1)),
        ])
        .await
        .unwrap();
    store
        .commit(vec![Write::Email(email("acc_a", "em_b", 5))])
        .await
        .unwrap();
    let ids = |mail: Vec<billing_api::store::OutboxEmail>| {
        mail.into_iter().map(|e| e.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.unsent_emails(10).await.unwrap()),
        ["em_z", "em_c", "em_a", "em_b"]
    );
    assert_eq!(ids(store.unsent_emails(2).await.unwrap()), ["em_z", "em_c"]);
    assert_eq!(
        ids(store.emails("acc_a").await.unwrap()),
        ["em_b", "em_a", "em_c", "em_z"]
    );

    store.mark_email("em_z", Some(t(9)), None).await.unwrap();
    store
        .mark_email("em_c", None, Some("smtp down"))
        .await
        .unwrap();
    assert_eq!(
        ids(store.unsent_emails(10).await.unwrap()),
        ["em_c", "em_a", "em_b"],
        "a failure is retried"
    );
    let all = store.emails("acc_a").await.unwrap();
    let sent = all.iter().find(|e| e.id == "em_z").unwrap();
    assert_eq!(sent.sent_at, Some(t(9)));
    assert_eq!(
        (sent.subject.as_str(), sent.body.as_str()),
        ("Subject em_z", "Body em_z")
    );
}

#[tokio::test]
async fn an_e_mail_failing_ten_times_is_given_up() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![Write::Email(email("acc_a", "em_1", 1))])
        .await
        .unwrap();
    for _ in 0..9 {
        store
            .mark_email("em_1", None, Some("bounce"))
            .await
            .unwrap();
    }
    assert_eq!(store.unsent_emails(10).await.unwrap().len(), 1);
    store
        .mark_email("em_1", None, Some("bounce"))
        .await
        .unwrap();
    assert!(store.unsent_emails(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn each_e_mail_is_claimed_by_one_sender_until_its_claim_lapses() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![
            Write::Email(email("acc_a", "em_c", 5)),
            Write::Email(email("acc_a", "em_a", 5)),
            Write::Email(email("acc_a", "em_z", 1)),
        ])
        .await
        .unwrap();
    let ids = |mail: Vec<billing_api::store::OutboxEmail>| {
        mail.into_iter().map(|e| e.id).collect::<Vec<_>>()
    };
    // Two senders at once: together they hold each e-mail exactly once,
    // each in queueing order.
    let (a, b) = tokio::join!(
        store.claim_emails(2, t(10), t(100)),
        store.claim_emails(2, t(10), t(100))
    );
    let (a, b) = (ids(a.unwrap()), ids(b.unwrap()));
    let mut all: Vec<_> = a.iter().chain(&b).cloned().collect();
    all.sort();
    assert_eq!(all, ["em_a", "em_c", "em_z"], "{a:?} {b:?}");
    for got in [&a, &b] {
        let order = ["em_z", "em_c", "em_a"];
        let pos: Vec<_> = got
            .iter()
            .map(|id| order.iter().position(|o| o == id).unwrap())
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{got:?}");
    }
    // While claimed, nobody else gets them.
    assert!(store
        .claim_emails(10, t(50), t(150))
        .await
        .unwrap()
        .is_empty());
    // A failed send clears its claim: the e-mail is offered again at once.
    store
        .mark_email("em_c", None, Some("smtp down"))
        .await
        .unwrap();
    store.mark_email("em_z", Some(t(60)), None).await.unwrap();
    assert_eq!(
        ids(store.claim_emails(10, t(60), t(160)).await.unwrap()),
        ["em_c"]
    );
    // A claim whose sender stopped lapses; what is left goes out again.
    assert_eq!(
        ids(store.claim_emails(10, t(160), t(260)).await.unwrap()),
        ["em_c", "em_a"]
    );
}
