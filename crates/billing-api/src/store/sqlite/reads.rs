//! The reads a signed-in request starts with, one query each: a session with
//! whom it signs in, and an account's billing overview (alone or with the
//! session). One statement is one snapshot; each is stepped on the
//! request's own thread by a direct reader (`direct::DirectReaders`), with
//! no trip to a connection's thread and back.

use super::direct::DirectReaders;
use super::rows::{
    account_at, corrupt, payment_method_at, session_at, subscription_from, user_at, AccountColumns,
    CardColumns, Cells, SessionColumns, UserColumns,
};
use super::subscriptions::ledger_sums;
use crate::store::overviews::Overviews;
use crate::store::{json, OverviewRecord, SessionActorRecord, StoreError};
use billing_domain::SubscriptionStatus;

/// The session `se`, its user `u` and their account `a`, each table's
/// columns under its prefix (as `rows::*Columns::JOINED` name them), and the
/// state of the subscription `s`.
macro_rules! session_columns {
    () => {
        "se.token_hash AS se_token_hash, se.user_id AS se_user_id, \
         se.created_at AS se_created_at, se.expires_at AS se_expires_at, \
         se.last_seen_at AS se_last_seen_at, \
         u.id AS u_id, u.account_id AS u_account_id, u.name AS u_name, u.email AS u_email, \
         u.password_hash AS u_password_hash, u.role AS u_role, u.billing_access AS u_billing_access, \
         u.active AS u_active, u.created_at AS u_created_at, \
         a.id AS a_id, a.name AS a_name, a.cancel_requires_owner AS a_cancel_requires_owner, \
         a.is_demo AS a_is_demo, a.clock_at AS a_clock_at, a.created_at AS a_created_at, \
         a.deleted_at AS a_deleted_at, a.billing_details AS a_billing_details, s.status AS sub_status, \
         a.reads_version AS a_reads_version"
    };
}

/// Every table the session leads to, absent ones as NULLs.
macro_rules! session_joins {
    () => {
        "FROM sessions se LEFT JOIN users u ON u.id = se.user_id \
         LEFT JOIN accounts a ON a.id = u.account_id \
         LEFT JOIN subscriptions s ON s.account_id = a.id"
    };
}

/// The overview of the subscription `s`: its columns and ledger sums as
/// `subscription` reads them, the seat holders (role, name, id) and the
/// open invoices with their lines as JSON arrays, and the default card
/// `pm`. The arrays are put in order as they are decoded: an aggregate's
/// own ordering would sort in a temporary table on every read.
macro_rules! overview_columns {
    () => {
        concat!(
            "s.*, ",
            ledger_sums!(),
            ", (SELECT json_group_array(json_array(su.role, su.name, su.id)) \
               FROM users su WHERE su.account_id = s.account_id AND su.active = 1) AS seat_holders, \
             pm.id AS pm_id, pm.account_id AS pm_account_id, pm.brand AS pm_brand, pm.last4 AS pm_last4, \
             pm.exp_month AS pm_exp_month, pm.exp_year AS pm_exp_year, pm.gateway_token AS pm_gateway_token, \
             pm.is_default AS pm_is_default, pm.created_at AS pm_created_at, \
             (SELECT json_group_array(json_object('id', i.id, 'account_id', i.account_id, 'seq', i.seq, \
                'status', i.status, 'reason', i.reason, 'currency', i.currency, 'total', i.total, \
                'credit_applied', i.credit_applied, 'credit_created', i.credit_created, \
                'period_start', i.period_start, 'period_end', i.period_end, 'created_at', i.created_at, \
                'paid_at', i.paid_at, 'attempt_count', i.attempt_count, 'last_error', i.last_error, \
                'charge_id', i.charge_id, 'pending_key', i.pending_key, 'pending_token', i.pending_token, \
                'settlement', i.settlement, 'request_key', i.request_key, \
                'number', i.number, 'seller', i.seller, 'buyer', i.buyer, \
                'lines', json((SELECT json_group_array(json_object('position', il.position, 'kind', il.kind, 'description', il.description, \
                   'quantity', il.quantity, 'unit_amount', il.unit_amount, 'amount', il.amount, \
                   'period_start', il.period_start, 'period_end', il.period_end)) \
                   FROM invoice_lines il WHERE il.invoice_id = i.id)))) \
               FROM invoices i WHERE i.account_id = s.account_id AND i.status = 'open') AS open_invoices"
        )
    };
}

/// The default card of the subscription's account (the first, should
/// there ever be two, as `default_payment_method` reads it).
macro_rules! card_join {
    () => {
        "LEFT JOIN payment_methods pm ON pm.id = (SELECT d.id FROM payment_methods d \
         WHERE d.account_id = s.account_id AND d.is_default = 1 LIMIT 1)"
    };
}

/// A session with whom it signs in, by the hash of its token.
const SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " ",
    session_joins!(),
    " WHERE se.token_hash = ?"
);

pub(super) fn session_actor(
    readers: &DirectReaders,
    token_hash: &str,
) -> Result<Option<SessionActorRecord>, StoreError> {
    readers.read(SESSION, token_hash, |row| session_actor_from(row))
}

/// The session and its account's overview: the session alone when the
/// overview kept in `overviews` was read at the account's current
/// `reads_version` (the kept one is served), else both in one statement
/// (and the overview kept).
pub(super) fn session_overview(
    readers: &DirectReaders,
    overviews: &Overviews,
    token_hash: &str,
) -> Result<Option<(SessionActorRecord, Option<OverviewRecord>)>, StoreError> {
    let Some((actor, version)) = readers.read(SESSION, token_hash, |row| {
        Ok((session_actor_from(row)?, reads_version(row)?))
    })?
    else {
        return Ok(None);
    };
    let account_id = match (&actor.account, actor.status, version) {
        (Some(account), Some(_), Some(_)) => account.id.clone(),
        // No subscription: no overview to read.
        _ => return Ok(Some((actor, None))),
    };
    if let Some(kept) = version.and_then(|v| overviews.get(&account_id, v)) {
        #[cfg(debug_assertions)]
        check_kept(readers, &account_id, version.unwrap_or_default(), &kept)?;
        return Ok(Some((actor, Some(kept))));
    }

    let read = readers.read(
        concat!(
            "SELECT ",
            session_columns!(),
            ", ",
            overview_columns!(),
            " ",
            session_joins!(),
            " ",
            card_join!(),
            " WHERE se.token_hash = ?"
        ),
        token_hash,
        |row| {
            Ok((
                session_actor_from(row)?,
                overview_from(row)?,
                reads_version(row)?,
            ))
        },
    )?;
    Ok(read.map(|(actor, overview, version)| {
        if let (Some(account), Some(overview), Some(version)) = (&actor.account, &overview, version)
        {
            overviews.put(&account.id, version, overview);
        }
        (actor, overview)
    }))
}

/// The account's overview, read afresh (and kept in `overviews`).
pub(super) fn overview(
    readers: &DirectReaders,
    overviews: &Overviews,
    account_id: &str,
) -> Result<Option<OverviewRecord>, StoreError> {
    let read = overview_at(readers, account_id)?;
    if let Some((version, overview)) = &read {
        overviews.put(account_id, *version, overview);
    }
    Ok(read.map(|(_, overview)| overview))
}

/// The account's overview and the `reads_version` it was read at.
fn overview_at(
    readers: &DirectReaders,
    account_id: &str,
) -> Result<Option<(i64, OverviewRecord)>, StoreError> {
    let read = readers.read(
        concat!(
            "SELECT a.reads_version AS a_reads_version, ",
            overview_columns!(),
            " FROM subscriptions s JOIN accounts a ON a.id = s.account_id ",
            card_join!(),
            " WHERE s.account_id = ?"
        ),
        account_id,
        |row| Ok((row.cell::<i64, _>("a_reads_version")?, overview_from(row)?)),
    )?;
    Ok(read.and_then(|(version, overview)| overview.map(|o| (version, o))))
}

/// The account's `reads_version` in `row`; `None` when the session leads
/// to no account.
fn reads_version(row: &impl Cells) -> Result<Option<i64>, StoreError> {
    row.cell::<Option<i64>, _>("a_reads_version")
}

/// Debug builds (every test) check each overview served from `overviews`
/// against the database: read afresh at the same `reads_version`, it must
/// be the same, or some write moved what an overview reads without moving
/// the number (a trigger of migration 0015 missing).
#[cfg(debug_assertions)]
fn check_kept(
    readers: &DirectReaders,
    account_id: &str,
    version: i64,
    kept: &OverviewRecord,
) -> Result<(), StoreError> {
    if let Some((now, fresh)) = overview_at(readers, account_id)? {
        if now == version {
            assert_eq!(
                format!("{fresh:?}"),
                format!("{kept:?}"),
                "the overview kept for {account_id} at reads_version {version} is not the database's"
            );
        }
    }
    Ok(())
}

fn session_actor_from(row: &impl Cells) -> Result<SessionActorRecord, StoreError> {
    let present = |column: &str| -> Result<bool, StoreError> {
        Ok(row.cell::<Option<String>, _>(column)?.is_some())
    };
    Ok(SessionActorRecord {
        session: session_at(row, &SessionColumns::JOINED)?,
        user: present("u_id")?
            .then(|| user_at(row, &UserColumns::JOINED))
            .transpose()?,
        account: present("a_id")?
            .then(|| account_at(row, &AccountColumns::JOINED))
            .transpose()?,
        status: row
            .cell::<Option<String>, _>("sub_status")?
            .map(|s| SubscriptionStatus::parse(&s).ok_or_else(|| corrupt("status", &s)))
            .transpose()?,
    })
}

/// The overview columns of `row`; `None` when no subscription was found.
fn overview_from(row: &impl Cells) -> Result<Option<OverviewRecord>, StoreError> {
    if row.cell::<Option<String>, _>("account_id")?.is_none() {
        return Ok(None);
    }
    let card = row.cell::<Option<String>, _>("pm_id")?.is_some();
    Ok(Some(OverviewRecord {
        subscription: subscription_from(row)?,
        seat_holders: json::seat_holders(&row.cell::<String, _>("seat_holders")?)?,
        payment_method: card
            .then(|| payment_method_at(row, &CardColumns::JOINED))
            .transpose()?,
        open_invoices: json::invoices(&row.cell::<String, _>("open_invoices")?)?,
    }))
}
