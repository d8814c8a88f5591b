//! A fresh store per test and the records the tests write.

use billing_api::clock::from_unix;
use billing_api::store::{
    AccountRecord, AuditEntry, InvoiceRecord, LedgerRecord, NewAccount, OutboxEmail,
    PaymentMethodRecord, Store, SubscriptionRecord, UserRecord,
};
use billing_domain::invoice::{InvoiceLine, InvoiceStatus, LineKind};
use billing_domain::ledger::LedgerKind;
use billing_domain::permissions::AccountPolicy;
use billing_domain::{BillingAccess, Currency, Interval, Money, PlanId, Role, SubscriptionStatus};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A migrated store on its own, empty database.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestStore {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        &*self.store
    }
}

/// A fresh store, migrated.
pub async fn fresh_store() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = crate::database::fresh_database_url(dir.path()).await;
    let store = billing_api::store::connect(&url).await.expect("connects");
    store.migrate().await.expect("migrates");
    TestStore {
        store,
        url,
        _dir: dir,
    }
}

/// A fresh store holding the account `acc` (see [`new_account`]).
pub async fn store_with_account(acc: &str) -> TestStore {
    let store = fresh_store().await;
    store.insert_account(&new_account(acc)).await.unwrap();
    store
}

/// A moment `secs` after a fixed origin.
pub fn t(secs: i64) -> DateTime<Utc> {
    from_unix(1_700_000_000 + secs)
}

/// US dollars in cents.
pub fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

fn user(acc: &str, role: Role, name: &str) -> UserRecord {
    UserRecord {
        id: format!("{acc}_{}", role.as_str()),
        account_id: acc.into(),
        name: name.into(),
        email: format!("{}@{acc}.example", role.as_str()),
        password_hash: "hash".into(),
        role,
        billing_access: BillingAccess::None,
        active: true,
        created_at: t(0),
    }
}

/// The subscription `new_account` writes.
pub fn subscription(acc: &str) -> SubscriptionRecord {
    SubscriptionRecord {
        account_id: acc.into(),
        plan: PlanId::Business,
        interval: Interval::Month,
        seats: 3,
        add_ons: vec![],
        status: SubscriptionStatus::Active,
        billing_anchor: t(0),
        current_period_start: t(0),
        current_period_end: t(30 * 86_400),
        currency: Currency::USD,
        credit_balance: 0,
        credit_held: 0,
        version: 1,
        past_due_since: None,
        grace_until: None,
        pending_seats: None,
        pending_interval: None,
        cancel_at: None,
        canceled_at: None,
        discount_percent: None,
        discount_periods_left: None,
        pause_billed: false,
        paused: false,
        period_discount: 0,
        discount_accepted_at: None,
    }
}

/// A card of the account (`pm_<acc>_<n>`), the default once stored.
pub fn card(acc: &str, n: u32) -> PaymentMethodRecord {
    PaymentMethodRecord {
        id: format!("pm_{acc}_{n}"),
        account_id: acc.into(),
        brand: "visa".into(),
        last4: format!("{:04}", 4242 + n),
        exp_month: 12,
        exp_year: 2034,
        gateway_token: format!("tok_{acc}_{n}"),
        is_default: true,
        created_at: t(i64::from(n)),
    }
}

/// An account with an owner (Olivia), an admin (Adam) and a member (Mia),
/// a monthly Business subscription on 3 seats and a card.
pub fn new_account(acc: &str) -> NewAccount {
    NewAccount {
        account: AccountRecord {
            id: acc.into(),
            name: format!("Account {acc}"),
            policy: AccountPolicy {
                cancel_requires_owner: true,
            },
            is_demo: false,
            clock_at: Some(t(0)),
            created_at: t(0),
            deleted_at: None,
            billing_details: None,
        },
        users: vec![
            user(acc, Role::Member, "Mia"),
            user(acc, Role::Admin, "Adam"),
            user(acc, Role::Owner, "Olivia"),
        ],
        subscription: subscription(acc),
        payment_method: Some(card(acc, 0)),
        invoices: vec![],
        audit: vec![],
    }
}

/// An audit line.
pub fn audit(acc: &str, id: &str, at: i64) -> AuditEntry {
    AuditEntry {
        id: id.into(),
        account_id: acc.into(),
        actor_user_id: None,
        action: "subscription.changed".into(),
        details: serde_json::json!({ "n": id, "amount": 1200 }),
        at: t(at),
    }
}

/// An open invoice of two lines totalling `total`.
pub fn open_invoice(acc: &str, id: &str, total: i64, at: i64) -> InvoiceRecord {
    let line = |kind, amount| InvoiceLine {
        kind,
        description: format!("{id} line"),
        quantity: 1,
        unit_amount: usd(amount),
        amount: usd(amount),
        period_start: Some(t(at)),
        period_end: Some(t(at + 30 * 86_400)),
    };
    InvoiceRecord {
        id: id.into(),
        account_id: acc.into(),
        seq: 0,
        number: "INV-".into(),
        seller: None,
        buyer: None,
        status: InvoiceStatus::Open,
        reason: "subscription_cycle".into(),
        currency: Currency::USD,
        total,
        credit_applied: 0,
        credit_created: 0,
        period_start: Some(t(at)),
        period_end: Some(t(at + 30 * 86_400)),
        created_at: t(at),
        paid_at: None,
        attempt_count: 0,
        last_error: None,
        charge_id: None,
        lines: vec![
            line(LineKind::Plan, total - 100),
            line(LineKind::AddOn, 100),
        ],
        pending_key: None,
        pending_token: None,
        settlement: None,
        request_key: None,
    }
}

/// A ledger entry of `kind` for `cents`.
pub fn entry(acc: &str, id: &str, kind: LedgerKind, cents: i64) -> LedgerRecord {
    LedgerRecord {
        id: id.into(),
        account_id: acc.into(),
        kind,
        amount: usd(cents),
        invoice_id: None,
        charge_id: None,
        refund_of: None,
        withdrawal_id: None,
        memo: format!("{} {cents}", kind.as_str()),
        at: t(10),
    }
}

/// An unsent e-mail queued at `at`.
pub fn email(acc: &str, id: &str, at: i64) -> OutboxEmail {
    OutboxEmail {
        id: id.into(),
        account_id: acc.into(),
        kind: "invoice_paid".into(),
        to_email: format!("owner@{acc}.example"),
        to_name: "Olivia".into(),
        cc: Vec::new(),
        subject: format!("Subject {id}"),
        body: format!("Body {id}"),
        invoice_id: None,
        created_at: t(at),
        sent_at: None,
    }
}
