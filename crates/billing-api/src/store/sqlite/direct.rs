//! Connections of the store's own, driven on the calling thread: the writer
//! of plain batches ([`Direct`]) and the readers of the reads every
//! signed-in request starts with ([`DirectReaders`]).
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every
//! statement, and every answer, across to it: two thread switches per
//! statement. A renewal is about fifteen statements, so a profile of the
//! scheduler found most of its time in those wake-ups, not in SQLite. The
//! batches whose writes are all plain statements ([`super::stmt::Stmt`]:
//! every renewal, charge and most changes) are therefore committed here,
//! on one connection of this module's own, each statement prepared once
//! and stepped where the caller runs. Batches with other writes still go
//! through sqlx; the write gate keeps the two to one writer at a time.
//!
//! Many batches share one transaction; a batch that fails leaves nothing
//! behind while the others go on (see [`Direct::commit`]), and a failure of
//! the transaction itself fails every batch in it.

use super::rows::{Cells, Col};
use super::stmt::{Stmt, Val};
use super::{ledger, BUSY_TIMEOUT, PRAGMAS};
use crate::store::StoreError;
use rusqlite::{ffi, Connection, OpenFlags};
use sqlx::error::{DatabaseError, ErrorKind};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Prepared statements kept: every distinct write statement, with room.
const CACHED_STATEMENTS: usize = 256;

/// A batch as statements: its writes, then the accounts whose ledger it
/// appends to, checked after them.
pub(super) struct Plan {
    pub(super) stmts: Vec<Stmt>,
    pub(super) ledger_accounts: Vec<String>,
}

/// Connections for the reads every signed-in request starts with (its
/// session, the overview): each read is one statement stepped on the
/// request's own thread, where sqlx would hand it to a connection's thread
/// and back.
pub(super) struct DirectReaders {
    file: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// The column positions of each statement read, found once; keyed by
    /// where the statement's text lives (it is `'static`), not by hashing
    /// its kilobyte of SQL on every read.
    columns: Mutex<HashMap<usize, Arc<Columns>>>,
    /// Connections kept idle at most; more are opened while many read at once.
    keep: usize,
}

impl std::fmt::Debug for DirectReaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReaders")
            .field("keep", &self.keep)
            .finish_non_exhaustive()
    }
}

impl DirectReaders {
    /// Readers of the database file, none opened yet.
    pub(super) fn new(file: &Path, keep: usize) -> DirectReaders {
        DirectReaders {
            file: file.to_path_buf(),
            idle: Mutex::new(Vec::new()),
            columns: Mutex::new(HashMap::new()),
            keep: keep.max(1),
        }
    }

    /// The one row `sql` selects with `key` bound to its `?`, decoded;
    /// `None` when it selects none.
    pub(super) fn read<T>(
        &self,
        sql: &'static str,
        key: &str,
        decode: impl FnOnce(&Named<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open(&self.file)?,
        };
        let outcome = self.read_one(&conn, sql, key, decode);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.keep {
            idle.push(conn);
        }
        outcome
    }

    fn read_one<T>(
        &self,
        conn: &Connection,
        sql: &'static str,
        key: &str,
        decode: impl FnOnce(&Named<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let mut stmt = conn.prepare_cached(sql).map_err(database)?;
        let names = self.columns_of(sql, &stmt);
        let mut rows = stmt.query([key]).map_err(database)?;
        match rows.next().map_err(database)? {
            Some(row) => Ok(Some(decode(&Named { row, names: &names })?)),
            None => Ok(None),
        }
    }

    /// The column positions of `sql`, the same on every connection.
    fn columns_of(&self, sql: &'static str, stmt: &rusqlite::Statement<'_>) -> Arc<Columns> {
        let mut columns = self.columns.lock().unwrap_or_else(|p| p.into_inner());
        columns
            .entry(sql.as_ptr() as usize)
            .or_insert_with(|| {
                Arc::new(
                    stmt.column_names()
                        .into_iter()
                        .enumerate()
                        .map(|(i, n)| (n.to_string(), i))
                        .collect(),
                )
            })
            .clone()
    }
}

/// A statement's columns by name, found by every cell a decoder reads.
type Columns = HashMap<String, usize, std::hash::BuildHasherDefault<NameHasher>>;

/// FNV-1a over a column's name: a name is a few bytes, and a request
/// decodes dozens of cells, where the standard hasher's keyed rounds were
/// a measurable share of serving the overview.
#[derive(Default)]
struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A row of a direct read, its columns found by name.
pub(super) struct Named<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    names: &'a Columns,
}

impl Cells for Named<'_, '_> {
    fn cell<T: Col, I: AsRef<str>>(&self, column: I) -> Result<T, StoreError> {
        let column = column.as_ref();
        let i = *self
            .names
            .get(column)
            .ok_or_else(|| StoreError::Database(sqlx::Error::ColumnNotFound(column.to_string())))?;
        self.row.get::<_, T>(i).map_err(|e| {
            StoreError::Database(sqlx::Error::ColumnDecode {
                index: column.to_string(),
                source: Box::new(e),
            })
        })
    }
}

/// A connection to the file with the settings of the store's others (see
/// `SqliteStore::connect`).
pub(super) fn open(file: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(file, flags).map_err(database)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(database)?;
    for (name, value) in PRAGMAS {
        conn.execute_batch(&format!("PRAGMA {name} = {value}"))
            .map_err(database)?;
    }
    conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
    Ok(conn)
}

/// The connection, one user at a time.
pub(super) struct Direct {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct").finish_non_exhaustive()
    }
}

impl Direct {
    /// Opens the database file with the settings of the store's other
    /// connections.
    pub(super) fn open(file: &Path) -> Result<Direct, StoreError> {
        Ok(Direct {
            conn: Mutex::new(open(file)?),
        })
    }

    /// Commits the plans in one transaction, each whole or not at all:
    /// one result per plan, in order.
    ///
    /// The plans are first run one after another as they are: a savepoint
    /// for each would have SQLite copy every page a plan touches into its
    /// statement journal, the largest cost of the whole commit. Only when
    /// one fails (rarely: a renewal someone else did, a refused ledger) is
    /// all of it rolled back and run again, each plan in a savepoint.
    pub(super) fn commit(&self, plans: &[Plan]) -> Vec<Result<(), StoreError>> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if let [plan] = plans {
            // Alone, a plan needs no savepoint: its failure is the transaction's.
            let mut outcome = Ok(());
            let done = transaction(&conn, |conn| {
                outcome = run_plan(conn, plan);
                Ok(outcome.is_ok())
            });
            return vec![done.and(outcome)];
        }
        let together = transaction(&conn, |conn| {
            for plan in plans {
                if run_plan(conn, plan).is_err() {
                    return Ok(false);
                }
            }
            Ok(true)
        });
        match together {
            Ok(true) => return plans.iter().map(|_| Ok(())).collect(),
            Ok(false) => {}
            Err(e) => return fail_all(plans.len(), &e),
        }
        let mut results = Vec::with_capacity(plans.len());
        let apart = transaction(&conn, |conn| {
            for plan in plans {
                conn.execute_batch("SAVEPOINT b").map_err(database)?;
                let outcome = run_plan(conn, plan);
                if outcome.is_err() {
                    conn.execute_batch("ROLLBACK TO b").map_err(database)?;
                }
                conn.execute_batch("RELEASE b").map_err(database)?;
                results.push(outcome);
            }
            Ok(true)
        });
        match apart {
            Ok(_) => results,
            Err(e) => fail_all(plans.len(), &e),
        }
    }
}

/// Runs `work` in a transaction of its own: committed when it returns
/// `Ok(true)`, rolled back when it returns `Ok(false)` or fails.
fn transaction(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<bool, StoreError>,
) -> Result<bool, StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(database)?;
    let outcome = work(conn).and_then(|keep| {
        if keep {
            conn.execute_batch("COMMIT").map_err(database)?;
        }
        Ok(keep)
    });
    // Whatever is left of the transaction goes: nothing of it was committed.
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    outcome
}

fn fail_all(n: usize, e: &StoreError) -> Vec<Result<(), StoreError>> {
    let message = e.to_string();
    (0..n)
        .map(|_| {
            Err(StoreError::Database(sqlx::Error::Protocol(format!(
                "the transaction failed: {message}"
            ))))
        })
        .collect()
}

/// A plan's statements in order, each judged as it ran, then its ledger
/// checks; the first failure ends it.
fn run_plan(conn: &Connection, plan: &Plan) -> Result<(), StoreError> {
    for stmt in &plan.stmts {
        stmt.judge(run(conn, stmt))?;
    }
    for account_id in &plan.ledger_accounts {
        let mut query = conn
            .prepare_cached(ledger::BALANCE_ROWS)
            .map_err(database)?;
        let rows = query
            .query_map([account_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(database)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(database)?;
        ledger::check_entries(account_id, rows)?;
    }
    Ok(())
}

/// Runs one statement; the rows it changed.
fn run(conn: &Connection, stmt: &Stmt) -> Result<u64, sqlx::Error> {
    let mut prepared = conn.prepare_cached(stmt.sql).map_err(sqlx_error)?;
    for (i, v) in stmt.args.iter().enumerate() {
        match v {
            Val::Int(n) => prepared.raw_bind_parameter(i + 1, n),
            Val::Text(t) => prepared.raw_bind_parameter(i + 1, t),
        }
        .map_err(sqlx_error)?;
    }
    // Rows a statement returns are not wanted here: step through them.
    let mut rows = prepared.raw_query();
    while rows.next().map_err(sqlx_error)?.is_some() {}
    drop(rows);
    Ok(conn.changes())
}

/// A failure of this connection, as the store reports a database's.
fn database(e: rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx_error(e))
}

/// A failure of this connection as sqlx would have reported it, so a
/// statement's outcome is judged the same on either path.
fn sqlx_error(e: rusqlite::Error) -> sqlx::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            let message = message.unwrap_or_else(|| code.to_string());
            sqlx::Error::Database(Box::new(DirectError {
                code: code.extended_code,
                message,
            }))
        }
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// A database error of this connection.
#[derive(Debug)]
struct DirectError {
    code: i32,
    message: String,
}

impl std::fmt::Display for DirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(code: {}) {}", self.code, self.message)
    }
}

impl std::error::Error for DirectError {}

impl DatabaseError for DirectError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}
