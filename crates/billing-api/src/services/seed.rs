//! Demo data for `cargo xtask run`, and the fresh per-test accounts of test mode.

use crate::ids::new_id;
use crate::services::password::{hash_password, hash_test_password};
use crate::state::AppState;
use crate::store::{
    AccountBatch, AccountRecord, AuditEntry, NewAccount, PaymentMethodRecord, SubscriptionRecord,
    UserRecord,
};
use crate::store::{GatewayChargeRecord, GatewayTokenRecord, InvoiceRecord};
use billing_domain::audit::AuditAction;
use billing_domain::catalog::Interval;
use billing_domain::invoice::{build_invoice, period_lines, InvoiceStatus};
use billing_domain::period::Period;
use billing_domain::permissions::AccountPolicy;
use billing_domain::wire::{TestAccount, TestUser};
use billing_domain::Money;
use billing_domain::{AddOnId, BillingAccess, PlanId, Role, SubscriptionStatus};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::json;

/// `at` moved back by `months` calendar months (the inverse of the
/// period arithmetic, so that `Period::nth` lands back on `at`).
fn add_months_back(at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    use chrono::Months;
    at.checked_sub_months(Months::new(months)).unwrap_or(at)
}

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "billing-demo";

struct PlannedUser {
    name: String,
    email: String,
    role: Role,
    access: BillingAccess,
}

struct PlannedAccount<'a> {
    name: &'a str,
    /// Seats in each past period, oldest first; the last is the current one.
    seat_history: Vec<u32>,
    is_demo: bool,
    clock_at: Option<DateTime<Utc>>,
    plan: PlanId,
    interval: Interval,
    seats: u32,
    add_ons: Vec<AddOnId>,
    card: (&'a str, &'a str, u32, u32),
    users: Vec<PlannedUser>,
    password: &'a str,
}

/// An account as first written, with the simulated gateway's records of
/// its card and of the charges its history paid.
struct Built {
    account: NewAccount,
    token: GatewayTokenRecord,
    charges: Vec<GatewayChargeRecord>,
}

async fn build(
    state: &AppState,
    plan: PlannedAccount<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<NewAccount> {
    let password = plan.password.to_string();
    // One hash per account: every user of a planned account shares its password.
    let test_account = plan.clock_at.is_some();
    let hash = tokio::task::spawn_blocking(move || {
        if test_account {
            hash_test_password(&password)
        } else {
            hash_password(&password)
        }
    })
    .await??;
    let built = records_of(state, plan, now, &hash)?;
    // The card lives in the simulated gateway's vault like any tokenized
    // card, and its history's charges are the gateway's too, so its
    // records and the ledger agree one to one.
    state.store.insert_gateway_token(&built.token).await?;
    for charge in &built.charges {
        state.store.record_gateway_charge(charge).await?;
    }
    Ok(built.account)
}

/// The records of a planned account whose users' password hashes to `hash`.
fn records_of(
    state: &AppState,
    plan: PlannedAccount<'_>,
    now: DateTime<Utc>,
    hash: &str,
) -> anyhow::Result<Built> {
    let account_id = new_id("acct");
    let users: Vec<UserRecord> = plan
        .users
        .iter()
        .map(|u| UserRecord {
            id: new_id("usr"),
            account_id: account_id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            password_hash: hash.to_string(),
            role: u.role,
            billing_access: u.access,
            active: true,
            created_at: now,
        })
        .collect();
    // The subscription began as many periods ago as it has history, each
    // period invoiced and paid at its start.
    let past = plan.seat_history.len().saturating_sub(1) as u32;
    let anchor = add_months_back(now, past * plan.interval.months());
    let period = Period::nth(anchor, plan.interval, past);
    let (brand, last4, exp_month, exp_year) = plan.card;
    let currency = state.catalog.currency();
    // The defaults of the billing details: the account's name, the owner.
    let buyer = billing_domain::wire::InvoiceParty {
        legal_name: plan.name.to_string(),
        email: users
            .iter()
            .find(|u| u.role == billing_domain::Role::Owner)
            .map(|u| u.email.clone())
            .unwrap_or_default(),
        address: None,
        tax_id: None,
    };
    let mut invoices = Vec::new();
    for (index, seats) in plan.seat_history.iter().enumerate() {
        let p = Period::nth(anchor, plan.interval, index as u32);
        let lines = period_lines(
            &state.catalog,
            plan.plan,
            plan.interval,
            *seats,
            &plan.add_ons,
            p,
        )?;
        let draft = build_invoice(currency, lines, Money::zero(currency))?;
        invoices.push(InvoiceRecord {
            id: new_id("in"),
            account_id: account_id.clone(),
            seq: 0,
            number: state.seller.invoice_prefix.clone(),
            seller: Some(state.seller.party()),
            buyer: Some(buyer.clone()),
            status: InvoiceStatus::Paid,
            reason: if index == 0 {
                "subscription_create"
            } else {
                "subscription_cycle"
            }
            .into(),
            currency,
            total: draft.total.amount(),
            credit_applied: 0,
            credit_created: 0,
            period_start: Some(p.start),
            period_end: Some(p.end),
            created_at: p.start,
            paid_at: Some(p.start),
            attempt_count: 1,
            last_error: None,
            charge_id: Some(new_id("ch")),
            lines: draft.lines,
            pending_key: None,
            pending_token: None,
            settlement: None,
            request_key: None,
        });
    }
    let first_charge = Money::new(invoices.first().map(|i| i.total).unwrap_or(0), currency);
    // Charges succeed on this card.
    let gateway_token = new_id("tok");
    let token = GatewayTokenRecord {
        token: gateway_token.clone(),
        brand: brand.into(),
        last4: last4.into(),
        exp_month,
        exp_year,
        behaviour: "succeed".into(),
        created_at: now,
    };
    let charges = invoices
        .iter()
        .filter_map(|inv| {
            Some(GatewayChargeRecord {
                id: inv.charge_id.clone()?,
                token: gateway_token.clone(),
                amount: inv.total,
                currency: currency.code().into(),
                idempotency_key: format!("{}:1", inv.id),
                outcome: "succeeded".into(),
                created_at: inv.paid_at.unwrap_or(inv.created_at),
            })
        })
        .collect();
    let account = NewAccount {
        account: AccountRecord {
            id: account_id.clone(),
            name: plan.name.to_string(),
            policy: AccountPolicy {
                cancel_requires_owner: state.cancel_flow.file.cancel_requires_owner,
            },
            is_demo: plan.is_demo,
            clock_at: plan.clock_at,
            created_at: now,
            deleted_at: None,
            billing_details: None,
        },
        subscription: SubscriptionRecord {
            account_id: account_id.clone(),
            plan: plan.plan,
            interval: plan.interval,
            seats: plan.seats,
            add_ons: plan.add_ons.clone(),
            status: SubscriptionStatus::Active,
            billing_anchor: anchor,
            current_period_start: period.start,
            current_period_end: period.end,
            currency,
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
        },
        payment_method: Some(PaymentMethodRecord {
            id: new_id("pm"),
            account_id: account_id.clone(),
            brand: brand.into(),
            last4: last4.into(),
            exp_month,
            exp_year,
            gateway_token: gateway_token.clone(),
            is_default: true,
            created_at: now,
        }),
        invoices,
        audit: vec![AuditEntry {
            id: new_id("aud"),
            account_id: account_id.clone(),
            actor_user_id: None,
            action: AuditAction::SubscriptionCreated.as_str().into(),
            details: json!({
                "plan": plan.plan, "interval": plan.interval, "seats": plan.seats,
                "add_ons": plan.add_ons, "period_start": anchor, "amount": first_charge,
            }),
            at: anchor,
        }],
        users,
    };
    Ok(Built {
        account,
        token,
        charges,
    })
}

fn demo_user(name: &str, email: &str, role: Role, access: BillingAccess) -> PlannedUser {
    PlannedUser {
        name: name.to_string(),
        email: email.to_string(),
        role,
        access,
    }
}

/// Seeds the two demo accounts into an empty database; does nothing if any
/// account exists. Returns whether it seeded.
pub async fn seed_demo(state: &AppState) -> crate::services::error::ServiceResult<bool> {
    if state.store.count_accounts().await? > 0 {
        return Ok(false);
    }
    let now = state.clock.now();
    use BillingAccess::{None as NoAccess, Read};
    use Role::{Admin, Member, Owner};
    let mut acme_users = vec![
        demo_user("Olivia Owens", "owner@acme.test", Owner, NoAccess),
        demo_user("Adam Alvarez", "admin@acme.test", Admin, NoAccess),
        demo_user("Bea Bauer", "billing@acme.test", Member, Read),
        demo_user("Max Moreau", "member@acme.test", Member, NoAccess),
    ];
    for (name, email) in [
        ("Chen Wei", "chen@acme.test"),
        ("Dana Kowalski", "dana@acme.test"),
        ("Emeka Obi", "emeka@acme.test"),
        ("Farah Haddad", "farah@acme.test"),
        ("Gus Lindqvist", "gus@acme.test"),
    ] {
        acme_users.push(demo_user(name, email, Member, NoAccess));
    }
    let acme = PlannedAccount {
        name: "Acme Inc.",
        seat_history: vec![8, 8, 9, 9, 10, 10, 10, 11, 11, 12, 12, 12],
        is_demo: true,
        clock_at: None,
        plan: PlanId::Business,
        interval: Interval::Month,
        seats: 12,
        add_ons: vec![],
        card: ("visa", "4242", 12, 2030),
        users: acme_users,
        password: DEMO_PASSWORD,
    };
    let globex = PlannedAccount {
        name: "Globex Ltd.",
        seat_history: vec![5],
        is_demo: true,
        clock_at: None,
        plan: PlanId::Essentials,
        interval: Interval::Year,
        seats: 5,
        add_ons: vec![AddOnId::SupportBot],
        card: ("mastercard", "4444", 8, 2029),
        users: vec![
            demo_user("Grace Gallo", "owner@globex.test", Owner, NoAccess),
            demo_user("Hiro Hayashi", "hiro@globex.test", Member, NoAccess),
        ],
        password: DEMO_PASSWORD,
    };
    for planned in [acme, globex] {
        let new = build(state, planned, now).await?;
        state.store.insert_account(&new).await?;
    }
    Ok(true)
}

/// Creates a fresh test account (SPEC §9): by default Business, monthly, 12
/// seats, a Visa 4242, one user per role, its clock frozen at `now`. Another
/// `plan` is billed monthly where the catalog sells it so, else yearly (a
/// Premium contract is annual): tests get a contract plan the way Customer
/// Success sets one up, not through the self-serve change.
pub async fn create_test_account(
    state: &AppState,
    with_card: bool,
    plan: PlanId,
) -> crate::services::error::ServiceResult<TestAccount> {
    let now = state.clock.now();
    let tag = new_id("t");
    let tag = crate::ids::random_part(&tag);
    let mut secret = [0u8; 9];
    rand::thread_rng().fill_bytes(&mut secret);
    let password = format!("pw-{}", hex::encode(secret));
    let roles = [
        ("owner", "Olivia Owner", Role::Owner, BillingAccess::None),
        ("admin", "Adam Admin", Role::Admin, BillingAccess::None),
        (
            "billing_member",
            "Bea Billing",
            Role::Member,
            BillingAccess::Read,
        ),
        ("member", "Max Member", Role::Member, BillingAccess::None),
    ];
    let users = roles
        .iter()
        .map(|(label, name, role, access)| PlannedUser {
            name: name.to_string(),
            email: format!("{}-{tag}@example.test", label.replace('_', "-")),
            role: *role,
            access: *access,
        })
        .collect();
    let interval = match state
        .catalog
        .plan(plan)
        .seat_price_per_month(Interval::Month)
    {
        Some(_) => Interval::Month,
        None => Interval::Year,
    };
    let planned = PlannedAccount {
        name: "Test Co.",
        seat_history: vec![12],
        is_demo: false,
        clock_at: Some(now),
        plan,
        interval,
        seats: 12,
        add_ons: vec![],
        card: ("visa", "4242", 12, 2034),
        users,
        password: &password,
    };
    let mut new = build(state, planned, now).await?;
    if !with_card {
        new.payment_method = None;
    }
    state.store.insert_account(&new).await?;
    Ok(TestAccount {
        account_id: new.account.id.clone(),
        users: roles
            .iter()
            .zip(&new.users)
            .map(|((label, ..), u)| TestUser {
                role: label.to_string(),
                email: u.email.clone(),
                password: password.clone(),
            })
            .collect(),
    })
}

/// How many accounts [`seed_renewals_due`] writes per transaction.
const BENCH_CHUNK: usize = 5_000;

/// Writes `count` accounts whose renewal is due now, for the renewal
/// benchmark: each a Business monthly subscription of 12 seats whose
/// current period (invoiced and paid when it began, a month ago) ends now,
/// an owner, and a Visa 4242 in the simulated gateway on which charges
/// succeed. Multi-row inserts, thousands of accounts per transaction.
/// Returns when their periods end.
pub async fn seed_renewals_due(
    state: &AppState,
    count: usize,
) -> crate::services::error::ServiceResult<DateTime<Utc>> {
    // Whole seconds, as the store keeps times: a charge made within the
    // same second as the period's end is then not before it.
    let now = chrono::SubsecRound::trunc_subsecs(state.clock.now(), 0);
    let started = add_months_back(now, 1);
    let tag = new_id("b");
    let tag = crate::ids::random_part(&tag);
    // One hash for every owner: the benchmark signs nobody in.
    let hash = tokio::task::spawn_blocking(|| hash_test_password(&new_id("pw")))
        .await
        .map_err(anyhow::Error::from)??;
    let mut period_end = now;
    let mut written = 0;
    while written < count {
        let mut batch = AccountBatch::default();
        for i in written..count.min(written + BENCH_CHUNK) {
            let planned = PlannedAccount {
                name: "Bench Co.",
                seat_history: vec![12],
                is_demo: false,
                clock_at: None,
                plan: PlanId::Business,
                interval: Interval::Month,
                seats: 12,
                add_ons: vec![],
                card: ("visa", "4242", 12, 2034),
                users: vec![demo_user(
                    "Olivia Owner",
                    &format!("owner-{i}-{tag}@bench.test"),
                    Role::Owner,
                    BillingAccess::None,
                )],
                password: "",
            };
            let built = records_of(state, planned, started, &hash)?;
            period_end = built.account.subscription.current_period_end;
            batch.accounts.push(built.account);
            batch.gateway_tokens.push(built.token);
            batch.gateway_charges.extend(built.charges);
        }
        written += batch.accounts.len();
        state.store.insert_accounts(&batch).await?;
    }
    Ok(period_end)
}
