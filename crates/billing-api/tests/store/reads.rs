//! The one-query reads a signed-in request starts with: a session with whom
//! it signs in, and an account's billing overview, alone or with the
//! session. Each reads what the single-table reads would.

use crate::fixtures::{card, entry, fresh_store, new_account, open_invoice, t, TestStore};
use billing_api::store::{OverviewRecord, SessionRecord, Write};
use billing_domain::ledger::LedgerKind;
use billing_domain::{Role, SubscriptionStatus};

/// Records hold no `PartialEq`: compare what they print.
fn same<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn session(hash: &str, user_id: &str) -> SessionRecord {
    SessionRecord {
        token_hash: hash.into(),
        user_id: user_id.into(),
        created_at: t(5),
        expires_at: t(5 + 86_400),
        last_seen_at: t(7),
    }
}

/// The overview as the single-table reads read it.
async fn overview_by_parts(store: &TestStore, acc: &str) -> OverviewRecord {
    OverviewRecord {
        subscription: store.subscription(acc).await.unwrap().unwrap(),
        seat_holders: store
            .users_of_account(acc)
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.active)
            .map(|u| u.name)
            .collect(),
        payment_method: store.default_payment_method(acc).await.unwrap(),
        open_invoices: store.open_invoices(acc).await.unwrap(),
    }
}

#[tokio::test]
async fn a_session_is_read_with_its_user_account_and_subscription_state() {
    let store = fresh_store().await;
    store.insert_account(&new_account("acc_a")).await.unwrap();
    store.insert_account(&new_account("acc_b")).await.unwrap();
    store
        .insert_session(&session("hash_1", "acc_a_admin"))
        .await
        .unwrap();

    let read = store
        .session_actor("hash_1")
        .await
        .unwrap()
        .expect("the session");
    assert!(same(
        &read.session,
        &store.session("hash_1").await.unwrap().unwrap()
    ));
    let user = read.user.expect("its user");
    assert_eq!((user.id.as_str(), user.role), ("acc_a_admin", Role::Admin));
    assert!(same(
        &user,
        &store.user("acc_a_admin").await.unwrap().unwrap()
    ));
    let account = read.account.expect("their account");
    assert!(same(
        &account,
        &store.account("acc_a").await.unwrap().unwrap()
    ));
    assert_eq!(read.status, Some(SubscriptionStatus::Active));

    assert!(store.session_actor("hash_missing").await.unwrap().is_none());
    assert!(store
        .session_overview("hash_missing")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_expired_session_is_read_as_it_is_for_the_caller_to_judge() {
    let store = fresh_store().await;
    store.insert_account(&new_account("acc_a")).await.unwrap();
    let mut expired = session("hash_old", "acc_a_owner");
    expired.expires_at = t(6);
    store.insert_session(&expired).await.unwrap();
    let read = store.session_actor("hash_old").await.unwrap().unwrap();
    assert_eq!(read.session.expires_at, t(6));
    assert!(read.user.is_some() && read.account.is_some());
}

#[tokio::test]
async fn a_session_shows_an_inactive_user_and_a_deleted_account() {
    let store = fresh_store().await;
    let mut new = new_account("acc_a");
    new.users[0].active = false;
    store.insert_account(&new).await.unwrap();
    store
        .insert_session(&session("hash_m", "acc_a_member"))
        .await
        .unwrap();
    let read = store.session_actor("hash_m").await.unwrap().unwrap();
    assert!(!read.user.unwrap().active);

    store
        .commit(vec![Write::DeleteAccountData {
            account_id: "acc_a".into(),
            at: t(500),
        }])
        .await
        .unwrap();
    store
        .insert_session(&session("hash_o", "acc_a_owner"))
        .await
        .unwrap();
    let read = store.session_actor("hash_o").await.unwrap().unwrap();
    assert!(!read.user.unwrap().active, "deletion deactivates the users");
    assert_eq!(read.account.unwrap().deleted_at, Some(t(500)));
}

#[tokio::test]
async fn the_overview_reads_what_the_single_reads_read() {
    let store = fresh_store().await;
    let mut new = new_account("acc_a");
    // Seat holders: active users only, owner first, then admins, then
    // members by name (byte order: upper case before lower case).
    new.users[0].name = "mia".into();
    let mut extra = new.users[0].clone();
    extra.id = "acc_a_member_2".into();
    extra.email = "member2@acc_a.example".into();
    extra.name = "Zed".into();
    let mut gone = extra.clone();
    gone.id = "acc_a_member_3".into();
    gone.email = "member3@acc_a.example".into();
    gone.name = "Ann".into();
    gone.active = false;
    new.users.extend([extra, gone]);
    store.insert_account(&new).await.unwrap();
    // Another account's rows must not show.
    store.insert_account(&new_account("acc_b")).await.unwrap();
    // Numbered in the order written, dated the other way round.
    let mut settled = open_invoice("acc_a", "inv_1", 3000, 5);
    settled.settlement = Some(r#"{"kind":"change","note":"a \"quoted\" é"}"#.into());
    settled.request_key = Some("user_1:key_1".into());
    settled.credit_applied = 200;
    settled.pending_key = Some("gw_key".into());
    settled.last_error = Some("card_declined".into());
    let mut second = open_invoice("acc_a", "inv_2", 4500, 1);
    second.lines.truncate(1);
    let mut paid = open_invoice("acc_a", "inv_3", 900, 3);
    paid.status = billing_domain::invoice::InvoiceStatus::Paid;
    paid.paid_at = Some(t(3));
    store
        .commit(vec![
            Write::InsertInvoice(settled),
            Write::InsertInvoice(second),
            Write::InsertInvoice(paid),
            Write::InsertInvoice(open_invoice("acc_b", "inv_b", 1000, 1)),
            Write::Ledger(entry("acc_a", "led_1", LedgerKind::CreditGranted, 1500)),
            Write::Ledger(entry("acc_b", "led_b", LedgerKind::CreditGranted, 700)),
            Write::SetDefaultPaymentMethod(card("acc_a", 1)),
        ])
        .await
        .unwrap();

    let read = store.overview("acc_a").await.unwrap().expect("an overview");
    assert_eq!(read.seat_holders, ["Olivia", "Adam", "Zed", "mia"]);
    assert_eq!(read.subscription.credit_balance, 1500);
    assert_eq!(
        read.payment_method.as_ref().map(|pm| pm.id.as_str()),
        Some("pm_acc_a_1")
    );
    let open: Vec<(&str, usize)> = read
        .open_invoices
        .iter()
        .map(|i| (i.id.as_str(), i.lines.len()))
        .collect();
    assert_eq!(
        open,
        [("inv_1", 2), ("inv_2", 1)],
        "open ones, oldest first"
    );
    assert!(same(&read, &overview_by_parts(&store, "acc_a").await));

    store
        .insert_session(&session("hash_1", "acc_a_member"))
        .await
        .unwrap();
    let (actor, with_session) = store
        .session_overview("hash_1")
        .await
        .unwrap()
        .expect("the session");
    assert!(same(
        &actor,
        &store.session_actor("hash_1").await.unwrap().unwrap()
    ));
    assert!(same(&with_session.expect("its overview"), &read));
}

#[tokio::test]
async fn an_account_without_a_card_or_open_invoices_reads_empty_ones() {
    let store = fresh_store().await;
    let mut new = new_account("acc_a");
    new.payment_method = None;
    store.insert_account(&new).await.unwrap();
    let read = store.overview("acc_a").await.unwrap().unwrap();
    assert!(read.payment_method.is_none());
    assert!(read.open_invoices.is_empty());
    assert_eq!(read.seat_holders.len(), 3);
    assert!(same(&read, &overview_by_parts(&store, "acc_a").await));
    assert!(store.overview("acc_missing").await.unwrap().is_none());
}

#[tokio::test]
async fn reads_abandoned_midway_leave_the_next_ones_whole() {
    let store = fresh_store().await;
    store.insert_account(&new_account("acc_a")).await.unwrap();
    store.insert_account(&new_account("acc_b")).await.unwrap();
    store
        .insert_session(&session("hash_a", "acc_a_owner"))
        .await
        .unwrap();
    store
        .insert_session(&session("hash_b", "acc_b_member"))
        .await
        .unwrap();
    let expected = overview_by_parts(&store, "acc_a").await;
    // Requests dropped at every stage of their read, many more than there
    // are reader connections, then whole reads of two sessions in turn.
    for n in 0..64u64 {
        let wait = std::time::Duration::from_micros(n * 20);
        let hash = if n % 2 == 0 { "hash_a" } else { "hash_b" };
        let _ = tokio::time::timeout(wait, store.session_overview(hash)).await;
    }
    for _ in 0..8 {
        let (actor, read) = store.session_overview("hash_a").await.unwrap().unwrap();
        assert_eq!(actor.session.user_id, "acc_a_owner");
        assert!(same(&read.unwrap(), &expected));
        let actor = store.session_actor("hash_b").await.unwrap().unwrap();
        assert_eq!(actor.user.unwrap().id, "acc_b_member");
    }
}
