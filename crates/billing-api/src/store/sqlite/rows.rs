//! Rows to records and back: the decoders of every table, the column encodings
//! the writes share, the mapping of unique violations, and the single-row
//! lookup by key.

use crate::clock::from_unix;
use crate::store::CreditNoteRecord;
use crate::store::{
    AccessRequestRecord, AccountRecord, AuditEntry, CancelSessionRecord, GatewayChargeRecord,
    GatewayTokenRecord, InvoiceRecord, LedgerRecord, OutboxEmail, PaymentMethodRecord,
    SessionRecord, StoreError, SubscriptionRecord, UserRecord, WithdrawalRecord,
};
use billing_domain::invoice::{InvoiceLine, InvoiceStatus, LineKind};
use billing_domain::ledger::LedgerKind;
use billing_domain::permissions::AccountPolicy;
use billing_domain::wire::{CreditNoteReason, InvoiceParty};
use billing_domain::Money;
use billing_domain::{
    AddOnId, BillingAccess, Currency, Interval, PlanId, Role, SubscriptionStatus,
};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

/// A column value either kind of row gives: what the decoders read.
pub(super) trait Col:
    for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + rusqlite::types::FromSql
{
}

impl Col for String {}
impl Col for Option<String> {}
impl Col for i64 {}
impl Col for Option<i64> {}

/// A row whose columns are read by name: sqlx's, or one the direct
/// connections read (`direct::Named`). The decoders of the reads every
/// request starts with take either.
pub(super) trait Cells {
    /// The value of the column named `column`.
    fn cell<T: Col, I: AsRef<str>>(&self, column: I) -> Result<T, StoreError>;
}

impl Cells for SqliteRow {
    fn cell<T: Col, I: AsRef<str>>(&self, column: I) -> Result<T, StoreError> {
        Ok(Row::try_get::<T, _>(self, column.as_ref())?)
    }
}

/// A stored value that does not parse.
pub(super) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} `{value}`"))
}

/// A unique violation as a `Conflict`; any other failure as it is.
pub(super) fn map_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        _ => StoreError::Database(e),
    }
}

/// An optional time as unix seconds.
pub(super) fn opt_time(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

fn line_kind(kind: &str) -> Result<LineKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(kind.to_string()))
        .map_err(|_| corrupt("line kind", kind))
}

/// An invoice line's kind as stored (its serde name).
pub(super) fn line_kind_str(kind: LineKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(super) use crate::store::columns::{AccountColumns, CardColumns, SessionColumns, UserColumns};

/// The row `sql` selects by one text key, parsed; `None` when absent.
pub(super) async fn optional<T>(
    pool: &SqlitePool,
    sql: &str,
    key: &str,
    parse: fn(&SqliteRow) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    sqlx::query(sql)
        .bind(key)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(parse)
        .transpose()
}

pub(super) fn account_from(row: &SqliteRow) -> Result<AccountRecord, StoreError> {
    account_at(row, &AccountColumns::PLAIN)
}

/// As [`account_from`], from the columns named by `c`.
pub(super) fn account_at(
    row: &impl Cells,
    c: &AccountColumns,
) -> Result<AccountRecord, StoreError> {
    Ok(AccountRecord {
        id: row.cell(c.id)?,
        name: row.cell(c.name)?,
        policy: AccountPolicy {
            cancel_requires_owner: row.cell::<i64, _>(c.cancel_requires_owner)? != 0,
        },
        is_demo: row.cell::<i64, _>(c.is_demo)? != 0,
        clock_at: row.cell::<Option<i64>, _>(c.clock_at)?.map(from_unix),
        created_at: from_unix(row.cell(c.created_at)?),
        deleted_at: row.cell::<Option<i64>, _>(c.deleted_at)?.map(from_unix),
        billing_details: crate::store::json::billing_details(
            row.cell::<Option<String>, _>(c.billing_details)?.as_deref(),
        )?,
    })
}

pub(super) fn user_from(row: &SqliteRow) -> Result<UserRecord, StoreError> {
    user_at(row, &UserColumns::PLAIN)
}

/// As [`user_from`], from the columns named by `c`.
pub(super) fn user_at(row: &impl Cells, c: &UserColumns) -> Result<UserRecord, StoreError> {
    let role: String = row.cell(c.role)?;
    let access: String = row.cell(c.billing_access)?;
    Ok(UserRecord {
        id: row.cell(c.id)?,
        account_id: row.cell(c.account_id)?,
        name: row.cell(c.name)?,
        email: row.cell(c.email)?,
        password_hash: row.cell(c.password_hash)?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        billing_access: BillingAccess::parse(&access)
            .ok_or_else(|| corrupt("billing access", &access))?,
        active: row.cell::<i64, _>(c.active)? != 0,
        created_at: from_unix(row.cell(c.created_at)?),
    })
}

pub(super) fn session_from(r: &SqliteRow) -> Result<SessionRecord, StoreError> {
    session_at(r, &SessionColumns::PLAIN)
}

/// As [`session_from`], from the columns named by `c`.
pub(super) fn session_at(r: &impl Cells, c: &SessionColumns) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        token_hash: r.cell(c.token_hash)?,
        user_id: r.cell(c.user_id)?,
        created_at: from_unix(r.cell(c.created_at)?),
        expires_at: from_unix(r.cell(c.expires_at)?),
        last_seen_at: from_unix(r.cell(c.last_seen_at)?),
    })
}

pub(super) fn payment_method_from(row: &SqliteRow) -> Result<PaymentMethodRecord, StoreError> {
    payment_method_at(row, &CardColumns::PLAIN)
}

/// As [`payment_method_from`], from the columns named by `c`.
pub(super) fn payment_method_at(
    row: &impl Cells,
    c: &CardColumns,
) -> Result<PaymentMethodRecord, StoreError> {
    Ok(PaymentMethodRecord {
        id: row.cell(c.id)?,
        account_id: row.cell(c.account_id)?,
        brand: row.cell(c.brand)?,
        last4: row.cell(c.last4)?,
        exp_month: row.cell::<i64, _>(c.exp_month)? as u32,
        exp_year: row.cell::<i64, _>(c.exp_year)? as u32,
        gateway_token: row.cell(c.gateway_token)?,
        is_default: row.cell::<i64, _>(c.is_default)? != 0,
        created_at: from_unix(row.cell(c.created_at)?),
    })
}

pub(super) fn access_request_from(row: &SqliteRow) -> Result<AccessRequestRecord, StoreError> {
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

/// A subscription row with the ledger sums `ledger_available` and `ledger_held`.
pub(super) fn subscription_from(row: &impl Cells) -> Result<SubscriptionRecord, StoreError> {
    let plan: String = row.cell("plan")?;
    let interval: String = row.cell("billing_interval")?;
    let status: String = row.cell("status")?;
    let add_ons: String = row.cell("add_ons")?;
    let currency: String = row.cell("currency")?;
    let seats: i64 = row.cell("seats")?;
    Ok(SubscriptionRecord {
        account_id: row.cell("account_id")?,
        plan: PlanId::parse(&plan).ok_or_else(|| corrupt("plan", &plan))?,
        interval: Interval::parse(&interval).ok_or_else(|| corrupt("interval", &interval))?,
        seats: u32::try_from(seats).map_err(|_| corrupt("seats", &seats.to_string()))?,
        add_ons: add_ons
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| AddOnId::parse(s).ok_or_else(|| corrupt("add-on", s)))
            .collect::<Result<_, _>>()?,
        status: SubscriptionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        billing_anchor: from_unix(row.cell("billing_anchor")?),
        current_period_start: from_unix(row.cell("current_period_start")?),
        current_period_end: from_unix(row.cell("current_period_end")?),
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        credit_balance: row.cell("ledger_available")?,
        credit_held: row.cell("ledger_held")?,
        version: row.cell("version")?,
        past_due_since: row.cell::<Option<i64>, _>("past_due_since")?.map(from_unix),
        grace_until: row.cell::<Option<i64>, _>("grace_until")?.map(from_unix),
        cancel_at: row.cell::<Option<i64>, _>("cancel_at")?.map(from_unix),
        canceled_at: row.cell::<Option<i64>, _>("canceled_at")?.map(from_unix),
        discount_percent: row
            .cell::<Option<i64>, _>("discount_percent")?
            .map(|n| n as u32),
        discount_periods_left: row
            .cell::<Option<i64>, _>("discount_periods_left")?
            .map(|n| n as u32),
        pause_billed: row.cell::<i64, _>("pause_billed")? != 0,
        paused: row.cell::<i64, _>("paused")? != 0,
        period_discount: row.cell::<i64, _>("period_discount")? as u32,
        discount_accepted_at: row
            .cell::<Option<i64>, _>("discount_accepted_at")?
            .map(from_unix),
        pending_seats: row
            .cell::<Option<i64>, _>("pending_seats")?
            .map(|n| n as u32),
        pending_interval: row
            .cell::<Option<String>, _>("pending_interval")?
            .map(|i| Interval::parse(&i).ok_or_else(|| corrupt("pending interval", &i)))
            .transpose()?,
    })
}

/// An invoice row with its lines, read separately.
pub(super) fn invoice_from(
    row: &SqliteRow,
    lines: Vec<InvoiceLine>,
) -> Result<InvoiceRecord, StoreError> {
    let status: String = row.try_get("status")?;
    let currency: String = row.try_get("currency")?;
    Ok(InvoiceRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        seq: row.try_get("seq")?,
        number: crate::store::json::invoice_number(
            row.try_get::<Option<String>, _>("number")?.as_deref(),
            row.try_get("seq")?,
        ),
        seller: crate::store::json::party(row.try_get::<Option<String>, _>("seller")?.as_deref())?,
        buyer: crate::store::json::party(row.try_get::<Option<String>, _>("buyer")?.as_deref())?,
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

/// An invoice line in its invoice's currency.
pub(super) fn line_from(row: &SqliteRow, currency: Currency) -> Result<InvoiceLine, StoreError> {
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

pub(super) fn ledger_from(row: &SqliteRow) -> Result<LedgerRecord, StoreError> {
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

pub(super) fn withdrawal_from(row: &SqliteRow) -> Result<WithdrawalRecord, StoreError> {
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

pub(super) fn audit_from(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
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

pub(super) fn email_from(row: &SqliteRow) -> Result<OutboxEmail, StoreError> {
    Ok(OutboxEmail {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        kind: row.try_get("kind")?,
        to_email: row.try_get("to_email")?,
        to_name: row.try_get("to_name")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        cc: crate::store::json::strings(&row.try_get::<String, _>("cc")?)?,
        invoice_id: row.try_get("invoice_id")?,
        created_at: from_unix(row.try_get("created_at")?),
        sent_at: row.try_get::<Option<i64>, _>("sent_at")?.map(from_unix),
    })
}

pub(super) fn cancel_session_from(r: &SqliteRow) -> Result<CancelSessionRecord, StoreError> {
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
}

pub(super) fn gateway_token_from(r: &SqliteRow) -> Result<GatewayTokenRecord, StoreError> {
    Ok(GatewayTokenRecord {
        token: r.try_get("token")?,
        brand: r.try_get("brand")?,
        last4: r.try_get("last4")?,
        exp_month: r.try_get::<i64, _>("exp_month")? as u32,
        exp_year: r.try_get::<i64, _>("exp_year")? as u32,
        behaviour: r.try_get("behaviour")?,
        created_at: from_unix(r.try_get("created_at")?),
    })
}

pub(super) fn gateway_charge_from(r: &SqliteRow) -> Result<GatewayChargeRecord, StoreError> {
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

pub(super) fn credit_note_from(r: &SqliteRow) -> Result<CreditNoteRecord, StoreError> {
    let currency: String = r.try_get("currency")?;
    let reason: String = r.try_get("reason")?;
    let party = |column: &str| -> Result<InvoiceParty, StoreError> {
        crate::store::json::party(Some(&r.try_get::<String, _>(column)?))?
            .ok_or_else(|| corrupt("credit note party", column))
    };
    Ok(CreditNoteRecord {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        seq: r.try_get("seq")?,
        number: r.try_get("number")?,
        reason: CreditNoteReason::parse(&reason)
            .ok_or_else(|| corrupt("credit note reason", &reason))?,
        invoice_id: r.try_get("invoice_id")?,
        currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
        total: r.try_get("total")?,
        to_card: r.try_get("to_card")?,
        to_balance: r.try_get("to_balance")?,
        lines: crate::store::json::lines(&r.try_get::<String, _>("lines")?)?,
        seller: party("seller")?,
        buyer: party("buyer")?,
        created_at: from_unix(r.try_get("created_at")?),
    })
}
