//! The SQLite store (the default, embedded). Plain runtime-checked queries in
//! portable SQL; times are unix seconds, money minor units.

use super::*;
use crate::clock::from_unix;
use billing_domain::invoice::LineKind;
use billing_domain::Money;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// A pool of SQLite connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database a `sqlite:` URL names.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode, NORMAL stays consistent through a crash of the
            // process and skips the fsync on every commit.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

fn account_from(row: &SqliteRow) -> Result<AccountRecord, StoreError> {
    Ok(AccountRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        policy: AccountPolicy {
            cancel_requires_owner: row.try_get::<i64, _>("cancel_requires_owner")? != 0,
        },
        is_demo: row.try_get::<i64, _>("is_demo")? != 0,
        clock_at: row.try_get::<Option<i64>, _>("clock_at")?.map(from_unix),
        created_at: from_unix(row.try_get("created_at")?),
        deleted_at: row.try_get::<Option<i64>, _>("deleted_at")?.map(from_unix),
    })
}

fn user_from(row: &SqliteRow) -> Result<UserRecord, StoreError> {
    let role: String = row.try_get("role")?;
    let access: String = row.try_get("billing_access")?;
    Ok(UserRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        billing_access: BillingAccess::parse(&access)
            .ok_or_else(|| corrupt("billing access", &access))?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: from_unix(row.try_get("created_at")?),
    })
}

fn subscription_from(row: &SqliteRow) -> Result<SubscriptionRecord, StoreError> {
    let plan: String = row.try_get("plan")?;
    let interval: String = row.try_get("billing_interval")?;
    let status: String = row.try_get("status")?;
    let add_ons: String = row.try_get("add_ons")?;
    let currency: String = row.try_get("currency")?;
    let seats: i64 = row.try_get("seats")?;
    Ok(SubscriptionRecord {
        account_id: row.try_get("account_id")?,
        plan: PlanId::parse(&plan).ok_or_else(|| corrupt("plan", &plan))?,
        interval: Interval::parse(&interval).ok_or_else(|| corrupt("interval", &interval))?,
        seats: u32::try_from(seats).map_err(|_| corrupt("seats", &seats.to_string()))?,
        add_ons: add_ons
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| AddOnId::parse(s).ok_or_else(|| corrupt("add-on", s)))
            .collect::<Result<_, _>>()?,
        status: SubscriptionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        billing_anchor: from_unix(row.try_get("billing_anchor")?),
        current_period_start: from_unix(row.try_get("current_period_start")?),
        current_period_end: from_unix(row.try_get("current_period_end")?),
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        credit_balance: row.try_get("ledger_available")?,
        credit_held: row.try_get("ledger_held")?,
        version: row.try_get("version")?,
        past_due_since: row
            .try_get::<Option<i64>, _>("past_due_since")?
            .map(from_unix),
        grace_until: row.try_get::<Option<i64>, _>("grace_until")?.map(from_unix),
        cancel_at: row.try_get::<Option<i64>, _>("cancel_at")?.map(from_unix),
        canceled_at: row.try_get::<Option<i64>, _>("canceled_at")?.map(from_unix),
        discount_percent: row
            .try_get::<Option<i64>, _>("discount_percent")?
            .map(|n| n as u32),
        discount_periods_left: row
            .try_get::<Option<i64>, _>("discount_periods_left")?
            .map(|n| n as u32),
        pause_billed: row.try_get::<i64, _>("pause_billed")? != 0,
        paused: row.try_get::<i64, _>("paused")? != 0,
        period_discount: row.try_get::<i64, _>("period_discount")? as u32,
        discount_accepted_at: row
            .try_get::<Option<i64>, _>("discount_accepted_at")?
            .map(from_unix),
        pending_seats: row
            .try_get::<Option<i64>, _>("pending_seats")?
            .map(|n| n as u32),
        pending_interval: row
            .try_get::<Option<String>, _>("pending_interval")?
            .map(|i| Interval::parse(&i).ok_or_else(|| corrupt("pending interval", &i)))
            .transpose()?,
    })
}

fn opt_time(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

fn line_kind(kind: &str) -> Result<LineKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(kind.to_string()))
        .map_err(|_| corrupt("line kind", kind))
}

fn line_kind_str(kind: LineKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn invoice_from(row: &SqliteRow, lines: Vec<InvoiceLine>) -> Result<InvoiceRecord, StoreError> {
    let status: String = row.try_get("status")?;
    let currency: String = row.try_get("currency")?;
    Ok(InvoiceRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        seq: row.try_get("seq")?,
        status: InvoiceStatus::parse(&status).ok_or_else(|| corrupt("invoice status", &status))?,
        reason: row.try_get("reason")?,
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        total: row.try_get("total")?,
        credit_applied: row.try_get("credit_applied")?,
        credit_created: row.try_get("credit_created")?,
        period_start: row
            .try_get::<Option<i64>, _>("period_start")?
            .map(from_unix),
        period_end: row.try_get::<Option<i64>, _>("period_end")?.map(from_unix),
        created_at: from_unix(row.try_get("created_at")?),
        paid_at: row.try_get::<Option<i64>, _>("paid_at")?.map(from_unix),
        attempt_count: row.try_get("attempt_count")?,
        last_error: row.try_get("last_error")?,
        charge_id: row.try_get("charge_id")?,
        lines,
        pending_key: row.try_get("pending_key")?,
        pending_token: row.try_get("pending_token")?,
        settlement: row.try_get("settlement")?,
        request_key: row.try_get("request_key")?,
    })
}

fn line_from(row: &SqliteRow, currency: Currency) -> Result<InvoiceLine, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(InvoiceLine {
        kind: line_kind(&kind)?,
        description: row.try_get("description")?,
        quantity: row.try_get::<i64, _>("quantity")? as u32,
        unit_amount: Money::new(row.try_get("unit_amount")?, currency),
        amount: Money::new(row.try_get("amount")?, currency),
        period_start: row
            .try_get::<Option<i64>, _>("period_start")?
            .map(from_unix),
        period_end: row.try_get::<Option<i64>, _>("period_end")?.map(from_unix),
    })
}

fn email_from(row: &SqliteRow) -> Result<OutboxEmail, StoreError> {
    Ok(OutboxEmail {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        kind: row.try_get("kind")?,
        to_email: row.try_get("to_email")?,
        to_name: row.try_get("to_name")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        invoice_id: row.try_get("invoice_id")?,
        created_at: from_unix(row.try_get("created_at")?),
        sent_at: row.try_get::<Option<i64>, _>("sent_at")?.map(from_unix),
    })
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

fn access_request_from(row: &SqliteRow) -> Result<AccessRequestRecord, StoreError> {
    let granted: Option<String> = row.try_get("granted")?;
    Ok(AccessRequestRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        user_id: row.try_get("user_id")?,
        note: row.try_get("note")?,
        status: row.try_get("status")?,
        granted: granted
            .map(|g| BillingAccess::parse(&g).ok_or_else(|| corrupt("granted access", &g)))
            .transpose()?,
        created_at: from_unix(row.try_get("created_at")?),
        decided_at: row.try_get::<Option<i64>, _>("decided_at")?.map(from_unix),
        decided_by: row.try_get("decided_by")?,
    })
}

async fn insert_invoice(tx: &mut Tx<'_>, inv: &InvoiceRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO invoices (id, account_id, seq, status, reason, currency, total, credit_applied, credit_created, period_start, period_end, created_at, paid_at, attempt_count, last_error, charge_id, pending_key, pending_token, settlement, request_key) \
         VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoices WHERE account_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&inv.id)
    .bind(&inv.account_id)
    .bind(&inv.account_id)
    .bind(inv.status.as_str())
    .bind(&inv.reason)
    .bind(inv.currency.code())
    .bind(inv.total)
    .bind(inv.credit_applied)
    .bind(inv.credit_created)
    .bind(opt_time(inv.period_start))
    .bind(opt_time(inv.period_end))
    .bind(inv.created_at.timestamp())
    .bind(opt_time(inv.paid_at))
    .bind(inv.attempt_count)
    .bind(&inv.last_error)
    .bind(&inv.charge_id)
    .bind(&inv.pending_key)
    .bind(&inv.pending_token)
    .bind(&inv.settlement)
    .bind(&inv.request_key)
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    for (position, line) in inv.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_amount, amount, period_start, period_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&inv.id)
        .bind(position as i64)
        .bind(line_kind_str(line.kind))
        .bind(&line.description)
        .bind(i64::from(line.quantity))
        .bind(line.unit_amount.amount())
        .bind(line.amount.amount())
        .bind(opt_time(line.period_start))
        .bind(opt_time(line.period_end))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn write_subscription(
    tx: &mut Tx<'_>,
    s: &SubscriptionRecord,
    expected_version: i64,
) -> Result<(), StoreError> {
    let add_ons: Vec<&str> = s.add_ons.iter().map(|a| a.as_str()).collect();
    let done = sqlx::query(
        "UPDATE subscriptions SET plan = ?, billing_interval = ?, seats = ?, add_ons = ?, status = ?, billing_anchor = ?, \
         current_period_start = ?, current_period_end = ?, currency = ?, past_due_since = ?, grace_until = ?, \
         pending_seats = ?, pending_interval = ?, cancel_at = ?, canceled_at = ?, discount_percent = ?, discount_periods_left = ?, pause_billed = ?, \
         paused = ?, period_discount = ?, discount_accepted_at = ?, version = version + 1 WHERE account_id = ? AND version = ?",
    )
    .bind(s.plan.as_str())
    .bind(s.interval.as_str())
    .bind(i64::from(s.seats))
    .bind(add_ons.join(","))
    .bind(s.status.as_str())
    .bind(s.billing_anchor.timestamp())
    .bind(s.current_period_start.timestamp())
    .bind(s.current_period_end.timestamp())
    .bind(s.currency.code())
    .bind(opt_time(s.past_due_since))
    .bind(opt_time(s.grace_until))
    .bind(s.pending_seats.map(i64::from))
        .bind(s.pending_interval.map(|i| i.as_str()))
    .bind(opt_time(s.cancel_at))
    .bind(opt_time(s.canceled_at))
    .bind(s.discount_percent.map(i64::from))
        .bind(s.discount_periods_left.map(i64::from))
    .bind(i64::from(s.pause_billed))
    .bind(i64::from(s.paused))
    .bind(i64::from(s.period_discount))
    .bind(opt_time(s.discount_accepted_at))
    .bind(&s.account_id)
    .bind(expected_version)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::VersionConflict)
    }
}

async fn insert_email(tx: &mut Tx<'_>, e: &OutboxEmail) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (id, account_id, kind, to_email, to_name, subject, body, invoice_id, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&e.id)
    .bind(&e.account_id)
    .bind(&e.kind)
    .bind(&e.to_email)
    .bind(&e.to_name)
    .bind(&e.subject)
    .bind(&e.body)
    .bind(&e.invoice_id)
    .bind(e.created_at.timestamp())
    .bind(opt_time(e.sent_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn set_default_card(tx: &mut Tx<'_>, pm: &PaymentMethodRecord) -> Result<(), StoreError> {
    sqlx::query("UPDATE payment_methods SET is_default = 0 WHERE account_id = ?")
        .bind(&pm.account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO payment_methods (id, account_id, brand, last4, exp_month, exp_year, gateway_token, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
    )
    .bind(&pm.id)
    .bind(&pm.account_id)
    .bind(&pm.brand)
    .bind(&pm.last4)
    .bind(i64::from(pm.exp_month))
    .bind(i64::from(pm.exp_year))
    .bind(&pm.gateway_token)
    .bind(pm.created_at.timestamp())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn payment_method_from(row: &SqliteRow) -> Result<PaymentMethodRecord, StoreError> {
    Ok(PaymentMethodRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        brand: row.try_get("brand")?,
        last4: row.try_get("last4")?,
        exp_month: row.try_get::<i64, _>("exp_month")? as u32,
        exp_year: row.try_get::<i64, _>("exp_year")? as u32,
        gateway_token: row.try_get("gateway_token")?,
        is_default: row.try_get::<i64, _>("is_default")? != 0,
        created_at: from_unix(row.try_get("created_at")?),
    })
}

fn audit_from(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let details: String = row.try_get("details")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        actor_user_id: row.try_get("actor_user_id")?,
        action: row.try_get("action")?,
        details: serde_json::from_str(&details).map_err(|_| corrupt("audit details", &details))?,
        at: from_unix(row.try_get("at")?),
    })
}

async fn insert_audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (id, account_id, actor_user_id, action, details, at, seq) \
         VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log WHERE account_id = ?))",
    )
    .bind(&entry.id)
    .bind(&entry.account_id)
    .bind(&entry.actor_user_id)
    .bind(&entry.action)
        .bind(entry.details.to_string())
    .bind(entry.at.timestamp())
    .bind(&entry.account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_ledger(tx: &mut Tx<'_>, e: &LedgerRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ledger_entries (id, account_id, seq, kind, amount, currency, invoice_id, charge_id, refund_of, withdrawal_id, memo, at) \
         VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger_entries WHERE account_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&e.id)
    .bind(&e.account_id)
    .bind(&e.account_id)
    .bind(e.kind.as_str())
    .bind(e.amount.amount())
    .bind(e.amount.currency().code())
    .bind(&e.invoice_id)
    .bind(&e.charge_id)
    .bind(&e.refund_of)
    .bind(&e.withdrawal_id)
    .bind(&e.memo)
    .bind(e.at.timestamp())
    .execute(&mut **tx)
    .await
    .map_err(map_unique)?;
    Ok(())
}

fn ledger_from(row: &SqliteRow) -> Result<LedgerRecord, StoreError> {
    let kind: String = row.try_get("kind")?;
    let code: String = row.try_get("currency")?;
    let currency = Currency::parse(&code).map_err(|_| corrupt("currency", &code))?;
    Ok(LedgerRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        kind: LedgerKind::parse(&kind).ok_or_else(|| corrupt("ledger kind", &kind))?,
        amount: Money::new(row.try_get("amount")?, currency),
        invoice_id: row.try_get("invoice_id")?,
        charge_id: row.try_get("charge_id")?,
        refund_of: row.try_get("refund_of")?,
        withdrawal_id: row.try_get("withdrawal_id")?,
        memo: row.try_get("memo")?,
        at: from_unix(row.try_get("at")?),
    })
}

fn withdrawal_from(row: &SqliteRow) -> Result<WithdrawalRecord, StoreError> {
    let code: String = row.try_get("currency")?;
    let currency = Currency::parse(&code).map_err(|_| corrupt("currency", &code))?;
    Ok(WithdrawalRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        amount: Money::new(row.try_get("amount")?, currency),
        status: row.try_get("status")?,
        note: row.try_get("note")?,
        requested_by: row.try_get("requested_by")?,
        requested_at: from_unix(row.try_get("requested_at")?),
        decided_at: row.try_get::<Option<i64>, _>("decided_at")?.map(from_unix),
        decided_by: row.try_get("decided_by")?,
    })
}

fn gateway_charge_from(r: &SqliteRow) -> Result<GatewayChargeRecord, StoreError> {
    Ok(GatewayChargeRecord {
        id: r.try_get("id")?,
        token: r.try_get("token")?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        idempotency_key: r.try_get("idempotency_key")?,
        outcome: r.try_get("outcome")?,
        created_at: from_unix(r.try_get("created_at")?),
    })
}

fn map_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        _ => StoreError::Database(e),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn count_accounts(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn has_demo_data(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE is_demo = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    async fn insert_account(&self, new: &NewAccount) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let a = &new.account;
        sqlx::query(
            "INSERT INTO accounts (id, name, cancel_requires_owner, is_demo, clock_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(i64::from(a.policy.cancel_requires_owner))
        .bind(i64::from(a.is_demo))
        .bind(a.clock_at.map(|t| t.timestamp()))
        .bind(a.created_at.timestamp())
        .execute(&mut *tx)
        .await?;
        for u in &new.users {
            sqlx::query(
                "INSERT INTO users (id, account_id, name, email, password_hash, role, billing_access, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&u.id)
            .bind(&u.account_id)
            .bind(&u.name)
            .bind(u.email.to_lowercase())
            .bind(&u.password_hash)
            .bind(u.role.as_str())
            .bind(u.billing_access.as_str())
            .bind(i64::from(u.active))
            .bind(u.created_at.timestamp())
            .execute(&mut *tx)
            .await
            .map_err(map_unique)?;
        }
        let s = &new.subscription;
        let add_ons: Vec<&str> = s.add_ons.iter().map(|a| a.as_str()).collect();
        sqlx::query(
            "INSERT INTO subscriptions (account_id, plan, billing_interval, seats, add_ons, status, billing_anchor, current_period_start, current_period_end, currency, credit_balance, version, paused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(&s.account_id)
        .bind(s.plan.as_str())
        .bind(s.interval.as_str())
        .bind(i64::from(s.seats))
        .bind(add_ons.join(","))
        .bind(s.status.as_str())
        .bind(s.billing_anchor.timestamp())
        .bind(s.current_period_start.timestamp())
        .bind(s.current_period_end.timestamp())
        .bind(s.currency.code())
        .bind(s.version)
        .bind(i64::from(s.paused))
        .execute(&mut *tx)
        .await?;
        if let Some(pm) = &new.payment_method {
            set_default_card(&mut tx, pm).await?;
        }
        for inv in &new.invoices {
            insert_invoice(&mut tx, inv).await?;
            if let (Some(charge), true) = (&inv.charge_id, inv.total > 0) {
                insert_ledger(
                    &mut tx,
                    &LedgerRecord {
                        id: format!("led_{}", inv.id),
                        account_id: inv.account_id.clone(),
                        kind: LedgerKind::CardCharge,
                        amount: Money::new(inv.total, inv.currency),
                        invoice_id: Some(inv.id.clone()),
                        charge_id: Some(charge.clone()),
                        refund_of: None,
                        withdrawal_id: None,
                        memo: "Card charged".into(),
                        at: inv.paid_at.unwrap_or(inv.created_at),
                    },
                )
                .await?;
            }
        }
        if s.credit_balance > 0 {
            insert_ledger(
                &mut tx,
                &LedgerRecord {
                    id: format!("led_open_{}", s.account_id),
                    account_id: s.account_id.clone(),
                    kind: LedgerKind::CreditGranted,
                    amount: Money::new(s.credit_balance, s.currency),
                    invoice_id: None,
                    charge_id: None,
                    refund_of: None,
                    withdrawal_id: None,
                    memo: "Opening balance".into(),
                    at: s.current_period_start,
                },
            )
            .await?;
        }
        for entry in &new.audit {
            insert_audit(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.optional("SELECT * FROM accounts WHERE id = ?", id, account_from)
            .await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let email = email.trim().to_lowercase();
        self.optional("SELECT * FROM users WHERE email = ?", &email, user_from)
            .await
    }

    async fn user(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        self.optional("SELECT * FROM users WHERE id = ?", id, user_from)
            .await
    }

    async fn users_of_account(&self, account_id: &str) -> Result<Vec<UserRecord>, StoreError> {
        sqlx::query(
            "SELECT * FROM users WHERE account_id = ? ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, name, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    async fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&s.token_hash)
            .bind(&s.user_id)
            .bind(s.created_at.timestamp())
            .bind(s.expires_at.timestamp())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| -> Result<SessionRecord, StoreError> {
            Ok(SessionRecord {
                token_hash: r.try_get("token_hash")?,
                user_id: r.try_get("user_id")?,
                created_at: from_unix(r.try_get("created_at")?),
                expires_at: from_unix(r.try_get("expires_at")?),
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn subscription(
        &self,
        account_id: &str,
    ) -> Result<Option<SubscriptionRecord>, StoreError> {
        self.optional(
            "SELECT s.*, \
               COALESCE((SELECT SUM(CASE l.kind WHEN 'credit_granted' THEN l.amount WHEN 'credit_applied' THEN -l.amount \
                 WHEN 'withdrawal_requested' THEN -l.amount WHEN 'withdrawal_declined' THEN l.amount ELSE 0 END) \
                 FROM ledger_entries l WHERE l.account_id = s.account_id), 0) AS ledger_available, \
               COALESCE((SELECT SUM(CASE l.kind WHEN 'withdrawal_requested' THEN l.amount WHEN 'withdrawal_paid' THEN -l.amount \
                 WHEN 'withdrawal_declined' THEN -l.amount ELSE 0 END) \
                 FROM ledger_entries l WHERE l.account_id = s.account_id), 0) AS ledger_held \
             FROM subscriptions s WHERE s.account_id = ?",
            account_id,
            subscription_from,
        )
        .await
    }

    async fn default_payment_method(
        &self,
        account_id: &str,
    ) -> Result<Option<PaymentMethodRecord>, StoreError> {
        self.optional(
            "SELECT * FROM payment_methods WHERE account_id = ? AND is_default = 1",
            account_id,
            payment_method_from,
        )
        .await
    }

    async fn set_billing_access(
        &self,
        user_id: &str,
        access: BillingAccess,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET billing_access = ? WHERE id = ?")
            .bind(access.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self, account_id: &str, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        sqlx::query("SELECT * FROM audit_log WHERE account_id = ? ORDER BY seq DESC LIMIT ?")
            .bind(account_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(audit_from)
            .collect()
    }

    async fn commit(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut ledger_accounts: Vec<String> = Vec::new();
        for write in &writes {
            match write {
                Write::Subscription {
                    record,
                    expected_version,
                } => write_subscription(&mut tx, record, *expected_version).await?,
                Write::InsertInvoice(inv) => insert_invoice(&mut tx, inv).await?,
                Write::UpdateInvoice {
                    id,
                    status,
                    paid_at,
                    attempt_count,
                    last_error,
                    charge_id,
                } => {
                    let done = sqlx::query(
                        "UPDATE invoices SET status = ?, paid_at = ?, attempt_count = ?, last_error = ?, charge_id = ?, \
                         pending_key = NULL, pending_token = NULL WHERE id = ? AND status = 'open'",
                    )
                    .bind(status.as_str())
                    .bind(opt_time(*paid_at))
                    .bind(attempt_count)
                    .bind(last_error)
                    .bind(charge_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::AlreadyDone(format!("invoice {id} settled")));
                    }
                }
                Write::BeginAttempt {
                    id,
                    key,
                    token,
                    attempt_count,
                } => {
                    let done = sqlx::query(
                        "UPDATE invoices SET attempt_count = ?, pending_key = ?, pending_token = ? WHERE id = ? AND status = 'open' AND pending_key IS NULL",
                    )
                    .bind(attempt_count)
                    .bind(key)
                    .bind(token)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::AlreadyDone(format!("charge of {id} begun")));
                    }
                }
                Write::Ledger(entry) => {
                    insert_ledger(&mut tx, entry).await?;
                    if !ledger_accounts.contains(&entry.account_id) {
                        ledger_accounts.push(entry.account_id.clone());
                    }
                }
                Write::InsertWithdrawal(w) => {
                    sqlx::query(
                        "INSERT INTO withdrawals (id, account_id, amount, currency, status, note, requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(&w.id)
                    .bind(&w.account_id)
                    .bind(w.amount.amount())
                    .bind(w.amount.currency().code())
                    .bind(&w.status)
                    .bind(&w.note)
                    .bind(&w.requested_by)
                    .bind(w.requested_at.timestamp())
                    .execute(&mut *tx)
                    .await?;
                }
                Write::DecideWithdrawal {
                    id,
                    status,
                    decided_at,
                    decided_by,
                } => {
                    let done = sqlx::query(
                        "UPDATE withdrawals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'requested'",
                    )
                    .bind(status)
                    .bind(decided_at.timestamp())
                    .bind(decided_by)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::AlreadyDone(format!("withdrawal {id} decided")));
                    }
                }
                Write::SetDefaultPaymentMethod(pm) => set_default_card(&mut tx, pm).await?,
                Write::Audit(entry) => insert_audit(&mut tx, entry).await?,
                Write::Email(email) => insert_email(&mut tx, email).await?,
                Write::Once {
                    marker,
                    account_id,
                    at,
                } => {
                    let res = sqlx::query(
                        "INSERT INTO once_markers (marker, account_id, at) VALUES (?, ?, ?)",
                    )
                    .bind(marker)
                    .bind(account_id)
                    .bind(at.timestamp())
                    .execute(&mut *tx)
                    .await;
                    match res {
                        Ok(_) => {}
                        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                            return Err(StoreError::AlreadyDone(marker.clone()))
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                Write::CancelSession(c) => {
                    sqlx::query(
                        "INSERT INTO cancel_sessions (id, account_id, user_id, started_at, reason, reason_text, offers_shown, outcome, offer_id, ended_at) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, reason_text = excluded.reason_text, \
                         offers_shown = excluded.offers_shown, outcome = excluded.outcome, offer_id = excluded.offer_id, ended_at = excluded.ended_at",
                    )
                    .bind(&c.id)
                    .bind(&c.account_id)
                    .bind(&c.user_id)
                    .bind(c.started_at.timestamp())
                    .bind(&c.reason)
                    .bind(&c.reason_text)
                    .bind(c.offers_shown.join(","))
                    .bind(&c.outcome)
                    .bind(&c.offer_id)
                    .bind(opt_time(c.ended_at))
                    .execute(&mut *tx)
                    .await?;
                }
                Write::Usage {
                    id,
                    account_id,
                    kind,
                    quantity,
                    at,
                } => {
                    sqlx::query("INSERT INTO usage_events (id, account_id, kind, quantity, at) VALUES (?, ?, ?, ?, ?)")
                        .bind(id)
                        .bind(account_id)
                        .bind(kind)
                        .bind(quantity)
                        .bind(at.timestamp())
                        .execute(&mut *tx)
                        .await?;
                }
                Write::DeleteAccountData { account_id, at } => {
                    // Keep the account and its users' sign-in identities so a
                    // sign-in can say what happened; remove everything else.
                    for sql in [
                        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE account_id = ?)",
                        "DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE account_id = ?)",
                        "DELETE FROM invoices WHERE account_id = ?",
                        "DELETE FROM payment_methods WHERE account_id = ?",
                        "DELETE FROM access_requests WHERE account_id = ?",
                        "DELETE FROM usage_events WHERE account_id = ?",
                        "DELETE FROM outbox WHERE account_id = ? AND sent_at IS NOT NULL",
                        "DELETE FROM audit_log WHERE account_id = ?",
                        "UPDATE users SET name = 'Deleted user', active = 0 WHERE account_id = ?",
                    ] {
                        sqlx::query(sql).bind(account_id).execute(&mut *tx).await?;
                    }
                    sqlx::query("UPDATE accounts SET deleted_at = ? WHERE id = ?")
                        .bind(at.timestamp())
                        .bind(account_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Write::SetBillingAccess { user_id, access } => {
                    sqlx::query("UPDATE users SET billing_access = ? WHERE id = ?")
                        .bind(access.as_str())
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Write::SetCancelPolicy {
                    account_id,
                    cancel_requires_owner,
                } => {
                    sqlx::query("UPDATE accounts SET cancel_requires_owner = ? WHERE id = ?")
                        .bind(i64::from(*cancel_requires_owner))
                        .bind(account_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Write::InsertAccessRequest(r) => {
                    sqlx::query(
                        "INSERT INTO access_requests (id, account_id, user_id, note, status, granted, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(&r.id)
                    .bind(&r.account_id)
                    .bind(&r.user_id)
                    .bind(&r.note)
                    .bind(&r.status)
                    .bind(r.granted.map(|g| g.as_str()))
                    .bind(r.created_at.timestamp())
                    .execute(&mut *tx)
                    .await
                    .map_err(map_unique)?;
                }
                Write::DecideAccessRequest {
                    id,
                    status,
                    granted,
                    decided_at,
                    decided_by,
                } => {
                    let done = sqlx::query(
                        "UPDATE access_requests SET status = ?, granted = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'open'",
                    )
                    .bind(status)
                    .bind(granted.map(|g| g.as_str()))
                    .bind(decided_at.timestamp())
                    .bind(decided_by)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::AlreadyDone(format!("access request {id}")));
                    }
                }
                Write::SetClock { account_id, at } => {
                    sqlx::query("UPDATE accounts SET clock_at = ? WHERE id = ?")
                        .bind(at.timestamp())
                        .bind(account_id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        // The ledger's invariant, checked where the money moves: no balance
        // is ever negative, or the whole batch is refused.
        for account_id in &ledger_accounts {
            let rows = sqlx::query("SELECT kind, amount, currency FROM ledger_entries WHERE account_id = ? ORDER BY seq")
                .bind(account_id)
                .fetch_all(&mut *tx)
                .await?;
            let mut entries = Vec::with_capacity(rows.len());
            let mut currency = None;
            for r in &rows {
                let kind: String = r.try_get("kind")?;
                let code: String = r.try_get("currency")?;
                let cur = Currency::parse(&code).map_err(|_| corrupt("currency", &code))?;
                currency.get_or_insert(cur);
                entries.push((
                    LedgerKind::parse(&kind).ok_or_else(|| corrupt("ledger kind", &kind))?,
                    Money::new(r.try_get("amount")?, cur),
                ));
            }
            if let Some(currency) = currency {
                billing_domain::ledger::balances(currency, entries.iter().map(|(k, m)| (*k, m)))
                    .map_err(|e| StoreError::Ledger(format!("{account_id}: {e}")))?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn invoices(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<InvoiceRecord>, StoreError> {
        let before: i64 = match starting_after {
            Some(id) => {
                sqlx::query_scalar("SELECT seq FROM invoices WHERE id = ? AND account_id = ?")
                    .bind(id)
                    .bind(account_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .unwrap_or(0)
            }
            None => i64::MAX,
        };
        let rows = sqlx::query(
            // A purchase whose card was declined was never a bill: not listed.
            "SELECT * FROM invoices WHERE account_id = ? AND seq < ? \
             AND NOT (status = 'void' AND settlement IS NOT NULL AND charge_id IS NULL) ORDER BY seq DESC LIMIT ?",
        )
        .bind(account_id)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        self.invoices_with_lines(&rows).await
    }

    async fn invoice(&self, id: &str) -> Result<Option<InvoiceRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM invoices WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.with_lines(&row, id).await?)),
            None => Ok(None),
        }
    }

    async fn open_invoices(&self, account_id: &str) -> Result<Vec<InvoiceRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM invoices WHERE account_id = ? AND status = 'open' ORDER BY seq",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        self.invoices_with_lines(&rows).await
    }

    async fn emails(&self, account_id: &str) -> Result<Vec<OutboxEmail>, StoreError> {
        sqlx::query(
            "SELECT * FROM outbox WHERE account_id = ? ORDER BY created_at DESC, rowid DESC",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(email_from)
        .collect()
    }

    async fn unsent_emails(&self, limit: i64) -> Result<Vec<OutboxEmail>, StoreError> {
        sqlx::query("SELECT * FROM outbox WHERE sent_at IS NULL AND attempts < 10 ORDER BY created_at, rowid LIMIT ?")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(email_from)
            .collect()
    }

    async fn mark_email(
        &self,
        id: &str,
        sent_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET sent_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
        )
        .bind(opt_time(sent_at))
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn accounts_with_work(&self, horizon: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT s.account_id FROM subscriptions s JOIN accounts a ON a.id = s.account_id \
             WHERE a.clock_at IS NULL AND (s.current_period_end <= ? OR s.grace_until IS NOT NULL OR s.canceled_at IS NOT NULL \
             OR EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = s.account_id AND i.status = 'open' AND i.attempt_count = 0))",
        )
        .bind(horizon.timestamp())
        .fetch_all(&self.pool)
        .await?)
    }

    async fn idempotency_begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expire_before: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ?")
            .bind(expire_before.timestamp())
            .execute(&self.pool)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (scope, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, idem_key) DO NOTHING",
        )
        .bind(scope)
        .bind(key)
        .bind(request_hash)
        .bind(now.timestamp())
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(IdempotencyBegin::New);
        }
        let row = sqlx::query("SELECT * FROM idempotency_keys WHERE scope = ? AND idem_key = ?")
            .bind(scope)
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        let stored_hash: String = row.try_get("request_hash")?;
        if stored_hash != request_hash {
            return Ok(IdempotencyBegin::Mismatch);
        }
        match row.try_get::<Option<i64>, _>("status")? {
            None => Ok(IdempotencyBegin::InProgress),
            Some(0) => {
                // Parked after a charge: the same request may run again (once at a time).
                let claimed = sqlx::query(
                    "UPDATE idempotency_keys SET status = NULL WHERE scope = ? AND idem_key = ? AND status = 0",
                )
                .bind(scope)
                .bind(key)
                .execute(&self.pool)
                .await?;
                Ok(if claimed.rows_affected() == 1 {
                    IdempotencyBegin::New
                } else {
                    IdempotencyBegin::InProgress
                })
            }
            Some(status) => Ok(IdempotencyBegin::Replay(StoredResponse {
                status: status as u16,
                content_type: row.try_get("content_type")?,
                etag: row.try_get("etag")?,
                body: row
                    .try_get::<Option<String>, _>("body")?
                    .unwrap_or_default(),
            })),
        }
    }

    async fn idempotency_finish(
        &self,
        scope: &str,
        key: &str,
        r: &StoredResponse,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE idempotency_keys SET status = ?, content_type = ?, etag = ?, body = ? WHERE scope = ? AND idem_key = ?")
            .bind(i64::from(r.status))
            .bind(&r.content_type)
            .bind(&r.etag)
            .bind(&r.body)
            .bind(scope)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn idempotency_abandon(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND status IS NULL",
        )
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_page(
        &self,
        account_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before: i64 = match starting_after {
            Some(id) => {
                sqlx::query_scalar("SELECT seq FROM audit_log WHERE id = ? AND account_id = ?")
                    .bind(id)
                    .bind(account_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .unwrap_or(0)
            }
            None => i64::MAX,
        };
        sqlx::query(
            "SELECT * FROM audit_log WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(account_id)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(audit_from)
        .collect()
    }

    async fn access_requests(
        &self,
        account_id: &str,
        status: &str,
    ) -> Result<Vec<AccessRequestRecord>, StoreError> {
        sqlx::query("SELECT * FROM access_requests WHERE account_id = ? AND status = ? ORDER BY created_at, id")
            .bind(account_id)
            .bind(status)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(access_request_from)
            .collect()
    }

    async fn access_request(&self, id: &str) -> Result<Option<AccessRequestRecord>, StoreError> {
        self.optional(
            "SELECT * FROM access_requests WHERE id = ?",
            id,
            access_request_from,
        )
        .await
    }

    async fn open_access_request(
        &self,
        user_id: &str,
    ) -> Result<Option<AccessRequestRecord>, StoreError> {
        self.optional(
            "SELECT * FROM access_requests WHERE user_id = ? AND status = 'open'",
            user_id,
            access_request_from,
        )
        .await
    }

    async fn cancel_session(&self, id: &str) -> Result<Option<CancelSessionRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM cancel_sessions WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| -> Result<CancelSessionRecord, StoreError> {
            let shown: String = r.try_get("offers_shown")?;
            Ok(CancelSessionRecord {
                id: r.try_get("id")?,
                account_id: r.try_get("account_id")?,
                user_id: r.try_get("user_id")?,
                started_at: from_unix(r.try_get("started_at")?),
                reason: r.try_get("reason")?,
                reason_text: r.try_get("reason_text")?,
                offers_shown: shown
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                outcome: r.try_get("outcome")?,
                offer_id: r.try_get("offer_id")?,
                ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(from_unix),
            })
        })
        .transpose()
    }

    async fn usage_since(
        &self,
        account_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT kind, SUM(quantity) AS total FROM usage_events WHERE account_id = ? AND at >= ? GROUP BY kind")
            .bind(account_id)
            .bind(since.timestamp())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("total")?)))
            .collect()
    }

    async fn save_rate(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<SaveRate, StoreError> {
        let (f, t) = (from.timestamp(), to.timestamp());
        let starts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cancel_sessions WHERE started_at >= ? AND started_at < ?",
        )
        .bind(f)
        .bind(t)
        .fetch_one(&self.pool)
        .await?;
        let grouped = |sql: &'static str| {
            let pool = self.pool.clone();
            async move {
                let rows = sqlx::query(sql).bind(f).bind(t).fetch_all(&pool).await?;
                rows.iter()
                    .map(|r| Ok((r.try_get::<String, _>("k")?, r.try_get::<i64, _>("n")?)))
                    .collect::<Result<Vec<(String, i64)>, StoreError>>()
            }
        };
        let saves_by_offer = grouped(
            "SELECT offer_id AS k, COUNT(*) AS n FROM cancel_sessions WHERE started_at >= ? AND started_at < ? AND outcome IN ('saved', 'paused', 'meeting_requested') AND offer_id IS NOT NULL GROUP BY offer_id ORDER BY offer_id",
        )
        .await?;
        let cancellations_by_reason = grouped(
            "SELECT COALESCE(reason, 'none') AS k, COUNT(*) AS n FROM cancel_sessions WHERE started_at >= ? AND started_at < ? AND outcome = 'canceled' GROUP BY reason ORDER BY k",
        )
        .await?;
        let outcome_count = |outcome: &'static str| {
            let pool = self.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cancel_sessions WHERE started_at >= ? AND started_at < ? AND outcome = ?")
                    .bind(f)
                    .bind(t)
                    .bind(outcome)
                    .fetch_one(&pool)
                    .await
            }
        };
        Ok(SaveRate {
            starts,
            saves_by_offer,
            cancellations_by_reason,
            pauses: outcome_count("paused").await?,
            meetings: outcome_count("meeting_requested").await?,
        })
    }

    async fn marker_exists(&self, marker: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM once_markers WHERE marker = ?")
            .bind(marker)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    async fn insert_gateway_token(&self, t: &GatewayTokenRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO gateway_tokens (token, brand, last4, exp_month, exp_year, behaviour, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&t.token)
        .bind(&t.brand)
        .bind(&t.last4)
        .bind(i64::from(t.exp_month))
        .bind(i64::from(t.exp_year))
        .bind(&t.behaviour)
        .bind(t.created_at.timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn gateway_token(&self, token: &str) -> Result<Option<GatewayTokenRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM gateway_tokens WHERE token = ?")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| -> Result<GatewayTokenRecord, StoreError> {
            Ok(GatewayTokenRecord {
                token: r.try_get("token")?,
                brand: r.try_get("brand")?,
                last4: r.try_get("last4")?,
                exp_month: r.try_get::<i64, _>("exp_month")? as u32,
                exp_year: r.try_get::<i64, _>("exp_year")? as u32,
                behaviour: r.try_get("behaviour")?,
                created_at: from_unix(r.try_get("created_at")?),
            })
        })
        .transpose()
    }

    async fn record_gateway_charge(
        &self,
        c: &GatewayChargeRecord,
    ) -> Result<GatewayChargeRecord, StoreError> {
        let res = sqlx::query(
            "INSERT INTO gateway_charges (id, token, amount, currency, idempotency_key, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&c.id)
        .bind(&c.token)
        .bind(c.amount)
        .bind(&c.currency)
        .bind(&c.idempotency_key)
        .bind(&c.outcome)
        .bind(c.created_at.timestamp())
        .execute(&self.pool)
        .await?;
        if res.rows_affected() == 1 {
            return Ok(c.clone());
        }
        let r = sqlx::query("SELECT * FROM gateway_charges WHERE idempotency_key = ?")
            .bind(&c.idempotency_key)
            .fetch_one(&self.pool)
            .await?;
        gateway_charge_from(&r)
    }

    async fn idempotency_park(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = 0 WHERE scope = ? AND idem_key = ? AND status IS NULL",
        )
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn ledger(&self, account_id: &str) -> Result<Vec<LedgerRecord>, StoreError> {
        sqlx::query("SELECT * FROM ledger_entries WHERE account_id = ? ORDER BY seq")
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(ledger_from)
            .collect()
    }

    async fn withdrawals(&self, account_id: &str) -> Result<Vec<WithdrawalRecord>, StoreError> {
        sqlx::query(
            "SELECT * FROM withdrawals WHERE account_id = ? ORDER BY requested_at DESC, id DESC",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(withdrawal_from)
        .collect()
    }

    async fn withdrawal(&self, id: &str) -> Result<Option<WithdrawalRecord>, StoreError> {
        self.optional(
            "SELECT * FROM withdrawals WHERE id = ?",
            id,
            withdrawal_from,
        )
        .await
    }

    async fn invoice_by_request_key(
        &self,
        request_key: &str,
    ) -> Result<Option<InvoiceRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM invoices WHERE request_key = ?")
            .bind(request_key)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => {
                let id: String = row.try_get("id")?;
                Ok(Some(self.with_lines(&row, &id).await?))
            }
            None => Ok(None),
        }
    }

    async fn gateway_charges_of_account(
        &self,
        account_id: &str,
    ) -> Result<Vec<GatewayChargeRecord>, StoreError> {
        sqlx::query(
            "SELECT * FROM gateway_charges WHERE token IN (SELECT gateway_token FROM payment_methods WHERE account_id = ?1) \
             OR token IN (SELECT id FROM gateway_charges WHERE token IN (SELECT gateway_token FROM payment_methods WHERE account_id = ?1)) \
             ORDER BY created_at, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(gateway_charge_from)
        .collect()
    }
}

impl SqliteStore {
    /// The row `sql` selects by one text key, parsed; `None` when absent.
    async fn optional<T>(
        &self,
        sql: &str,
        key: &str,
        parse: fn(&SqliteRow) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(parse)
            .transpose()
    }

    /// Invoice rows with their lines attached.
    async fn invoices_with_lines(
        &self,
        rows: &[SqliteRow],
    ) -> Result<Vec<InvoiceRecord>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("id")?;
            out.push(self.with_lines(row, &id).await?);
        }
        Ok(out)
    }

    async fn with_lines(&self, row: &SqliteRow, id: &str) -> Result<InvoiceRecord, StoreError> {
        let currency: String = row.try_get("currency")?;
        let currency = Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?;
        let lines =
            sqlx::query("SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| line_from(r, currency))
                .collect::<Result<Vec<_>, _>>()?;
        invoice_from(row, lines)
    }
}
