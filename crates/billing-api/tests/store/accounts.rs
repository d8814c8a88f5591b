//! Accounts, users, sessions, cards and the deletion of an account's data.

use crate::fixtures::{
    audit, card, email, entry, fresh_store, new_account, open_invoice, store_with_account,
    subscription, t,
};
use billing_api::store::{AccessRequestRecord, SessionRecord, Write};
use billing_domain::ledger::LedgerKind;
use billing_domain::{BillingAccess, Role};

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let store = store_with_account("acc_a").await;
    store.migrate().await.expect("second migration");
    assert_eq!(store.count_accounts().await.unwrap(), 1);
}

#[tokio::test]
async fn an_account_reads_back_as_it_was_written() {
    let store = fresh_store().await;
    assert_eq!(store.count_accounts().await.unwrap(), 0);
    assert!(!store.has_demo_data().await.unwrap());
    let new = new_account("acc_a");
    store.insert_account(&new).await.unwrap();

    let account = store.account("acc_a").await.unwrap().expect("the account");
    assert_eq!(account.name, "Account acc_a");
    assert!(account.policy.cancel_requires_owner);
    assert!(!account.is_demo);
    assert_eq!(account.clock_at, Some(t(0)));
    assert_eq!(account.created_at, t(0));
    assert_eq!(account.deleted_at, None);
    assert!(store.account("acc_missing").await.unwrap().is_none());

    let users = store.users_of_account("acc_a").await.unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        names,
        ["Olivia", "Adam", "Mia"],
        "owner first, then admin, member"
    );
    assert_eq!(users[0].role, Role::Owner);
    assert!(users.iter().all(|u| u.active));
    let admin = store.user("acc_a_admin").await.unwrap().expect("the admin");
    assert_eq!(admin.email, "admin@acc_a.example");
    assert_eq!(admin.billing_access, BillingAccess::None);

    assert_eq!(
        store.subscription("acc_a").await.unwrap(),
        Some(subscription("acc_a"))
    );
    let pm = store
        .default_payment_method("acc_a")
        .await
        .unwrap()
        .expect("a card");
    assert_eq!(pm.id, card("acc_a", 0).id);
    assert!(pm.is_default);
    assert_eq!(
        (pm.exp_month, pm.exp_year, pm.last4.as_str()),
        (12, 2034, "4242")
    );
}

#[tokio::test]
async fn a_demo_account_is_seen() {
    let store = fresh_store().await;
    let mut new = new_account("acc_demo");
    new.account.is_demo = true;
    store.insert_account(&new).await.unwrap();
    assert!(store.has_demo_data().await.unwrap());
}

#[tokio::test]
async fn an_e_mail_is_found_whatever_its_case() {
    let store = fresh_store().await;
    let mut new = new_account("acc_a");
    new.users[2].email = "Olivia.Owner@Example.COM".into();
    store.insert_account(&new).await.unwrap();
    for typed in [
        "olivia.owner@example.com",
        "OLIVIA.OWNER@EXAMPLE.COM",
        "  Olivia.Owner@example.com ",
    ] {
        let user = store.user_by_email(typed).await.unwrap();
        assert_eq!(
            user.map(|u| u.id),
            Some("acc_a_owner".to_string()),
            "{typed}"
        );
    }
    assert!(store
        .user_by_email("nobody@example.com")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_second_user_with_the_same_e_mail_is_a_conflict() {
    let store = store_with_account("acc_a").await;
    let mut other = new_account("acc_b");
    other.users[0].email = "OWNER@acc_a.example".into();
    let err = store.insert_account(&other).await.unwrap_err();
    assert!(
        matches!(err, billing_api::store::StoreError::Conflict(_)),
        "{err:?}"
    );
    assert!(
        store.account("acc_b").await.unwrap().is_none(),
        "nothing of it written"
    );
}

#[tokio::test]
async fn sessions_are_stored_found_and_deleted() {
    let store = store_with_account("acc_a").await;
    let session = SessionRecord {
        token_hash: "hash_1".into(),
        user_id: "acc_a_owner".into(),
        created_at: t(5),
        expires_at: t(5 + 86_400),
        last_seen_at: t(5),
    };
    store.insert_session(&session).await.unwrap();
    let found = store.session("hash_1").await.unwrap().expect("the session");
    assert_eq!(found.user_id, "acc_a_owner");
    assert_eq!((found.created_at, found.expires_at), (t(5), t(5 + 86_400)));
    assert_eq!(found.last_seen_at, t(5));
    store.delete_session("hash_1").await.unwrap();
    assert!(store.session("hash_1").await.unwrap().is_none());
    store
        .delete_session("hash_1")
        .await
        .expect("deleting an absent session is fine");
}

#[tokio::test]
async fn billing_access_and_its_audit_line_are_written_together() {
    let store = store_with_account("acc_a").await;
    store
        .set_billing_access(
            "acc_a_member",
            BillingAccess::Read,
            &audit("acc_a", "aud_1", 1),
        )
        .await
        .unwrap();
    let member = store.user("acc_a_member").await.unwrap().unwrap();
    assert_eq!(member.billing_access, BillingAccess::Read);
    let log = store.audit_log("acc_a", 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0].details,
        serde_json::json!({ "n": "aud_1", "amount": 1200 })
    );
}

#[tokio::test]
async fn a_new_default_card_replaces_the_old_one() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![Write::SetDefaultPaymentMethod(card("acc_a", 1))])
        .await
        .unwrap();
    let pm = store
        .default_payment_method("acc_a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pm.id, "pm_acc_a_1");
}

#[tokio::test]
async fn the_account_level_writes_of_a_batch_land() {
    let store = store_with_account("acc_a").await;
    store
        .commit(vec![
            Write::SetClock {
                account_id: "acc_a".into(),
                at: t(99),
            },
            Write::SetCancelPolicy {
                account_id: "acc_a".into(),
                cancel_requires_owner: false,
            },
            Write::SetBillingAccess {
                user_id: "acc_a_admin".into(),
                access: BillingAccess::Manage,
            },
        ])
        .await
        .unwrap();
    let account = store.account("acc_a").await.unwrap().unwrap();
    assert_eq!(account.clock_at, Some(t(99)));
    assert!(!account.policy.cancel_requires_owner);
    let admin = store.user("acc_a_admin").await.unwrap().unwrap();
    assert_eq!(admin.billing_access, BillingAccess::Manage);
}

#[tokio::test]
async fn deleting_an_accounts_data_keeps_its_invoices_and_erases_its_users() {
    let store = store_with_account("acc_a").await;
    let session = SessionRecord {
        token_hash: "hash_1".into(),
        user_id: "acc_a_owner".into(),
        created_at: t(1),
        expires_at: t(2),
        last_seen_at: t(1),
    };
    store.insert_session(&session).await.unwrap();
    let mut sent = email("acc_a", "em_sent", 3);
    sent.sent_at = Some(t(4));
    store
        .commit(vec![
            Write::InsertInvoice(open_invoice("acc_a", "inv_1", 3000, 1)),
            Write::Audit(audit("acc_a", "aud_1", 1)),
            Write::Email(sent),
            Write::Email(email("acc_a", "em_unsent", 3)),
            Write::Ledger(entry("acc_a", "led_1", LedgerKind::CreditGranted, 500)),
            Write::InsertAccessRequest(AccessRequestRecord {
                id: "ar_1".into(),
                account_id: "acc_a".into(),
                user_id: "acc_a_member".into(),
                note: String::new(),
                status: "open".into(),
                granted: None,
                created_at: t(2),
                decided_at: None,
                decided_by: None,
            }),
            Write::Usage {
                id: "use_1".into(),
                account_id: "acc_a".into(),
                kind: "report".into(),
                quantity: 2,
                at: t(2),
            },
        ])
        .await
        .unwrap();

    store
        .commit(vec![Write::DeleteAccountData {
            account_id: "acc_a".into(),
            at: t(500),
        }])
        .await
        .unwrap();

    let account = store.account("acc_a").await.unwrap().unwrap();
    assert_eq!(account.deleted_at, Some(t(500)));
    assert!(store.session("hash_1").await.unwrap().is_none());
    // Invoices are accounting records: they stay, with their lines.
    let kept = store.invoice("inv_1").await.unwrap().unwrap();
    assert!(!kept.lines.is_empty());
    assert_eq!(store.invoices("acc_a", 10, None).await.unwrap().len(), 1);
    assert!(store
        .default_payment_method("acc_a")
        .await
        .unwrap()
        .is_none());
    assert!(store.access_request("ar_1").await.unwrap().is_none());
    assert!(store.usage_since("acc_a", t(0)).await.unwrap().is_empty());
    assert!(store.audit_log("acc_a", 10).await.unwrap().is_empty());
    let emails: Vec<String> = store
        .emails("acc_a")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(emails, ["em_unsent"], "unsent mail is still delivered");
    let users = store.users_of_account("acc_a").await.unwrap();
    assert_eq!(users.len(), 3);
    assert!(users.iter().all(|u| u.name == "Deleted user" && !u.active));
    assert!(
        users
            .iter()
            .all(|u| !u.email.contains('@') && u.password_hash.is_empty()),
        "{users:?}"
    );
    // The address itself is gone, but its hash still finds the user.
    let found = store
        .user_by_email(" Owner@acc_a.example ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, "acc_a_owner");
    assert!(store
        .user_by_email("someone.else@acc_a.example")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.ledger("acc_a").await.unwrap().len(),
        1,
        "the money record stays"
    );

    // The account can still be written to afterwards.
    store
        .commit(vec![
            Write::InsertInvoice(open_invoice("acc_a", "inv_2", 3000, 600)),
            Write::Audit(audit("acc_a", "aud_2", 600)),
        ])
        .await
        .unwrap();
    let inv_2 = store.invoice("inv_2").await.unwrap().unwrap();
    assert_eq!(inv_2.seq, 2, "invoice numbering goes on after the deletion");
    let page = store.audit_page("acc_a", 10, None).await.unwrap();
    assert_eq!(
        page.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["aud_2"]
    );
}
