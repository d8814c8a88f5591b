//! A write statement as data: its SQL, its values and what its outcome
//! means. The writes of a batch are built as statements once, then run
//! either through sqlx ([`Stmt::run`]) or on the direct connection (see
//! `direct`), and judged alike ([`Stmt::judge`]), so both paths mean exactly
//! the same.

use super::Tx;
use crate::store::StoreError;
use sqlx::sqlite::SqliteArguments;
use sqlx::Arguments;

/// A value bound to a `?`.
#[derive(Debug, Clone)]
pub(super) enum Val {
    Int(Option<i64>),
    Text(Option<String>),
}

/// What a unique violation of the statement means.
#[derive(Debug, Clone)]
pub(super) enum OnUnique {
    /// A database error like any other.
    Raw,
    /// [`StoreError::Conflict`].
    Conflict,
    /// [`StoreError::AlreadyDone`] with this message.
    AlreadyDone(String),
}

/// The failure of a statement that must change exactly one row.
#[derive(Debug, Clone)]
pub(super) enum Fail {
    VersionConflict,
    AlreadyDone(String),
}

impl Fail {
    fn error(&self) -> StoreError {
        match self {
            Fail::VersionConflict => StoreError::VersionConflict,
            Fail::AlreadyDone(m) => StoreError::AlreadyDone(m.clone()),
        }
    }
}

/// One statement of a write.
#[derive(Debug, Clone)]
pub(super) struct Stmt {
    pub(super) sql: &'static str,
    pub(super) args: Vec<Val>,
    pub(super) on_unique: OnUnique,
    pub(super) one_row: Option<Fail>,
}

impl Stmt {
    pub(super) fn new(sql: &'static str) -> Stmt {
        Stmt {
            sql,
            args: Vec::new(),
            on_unique: OnUnique::Raw,
            one_row: None,
        }
    }

    pub(super) fn int(mut self, v: i64) -> Stmt {
        self.args.push(Val::Int(Some(v)));
        self
    }

    pub(super) fn opt_int(mut self, v: Option<i64>) -> Stmt {
        self.args.push(Val::Int(v));
        self
    }

    pub(super) fn text(mut self, v: impl Into<String>) -> Stmt {
        self.args.push(Val::Text(Some(v.into())));
        self
    }

    pub(super) fn opt_text(mut self, v: Option<impl Into<String>>) -> Stmt {
        self.args.push(Val::Text(v.map(Into::into)));
        self
    }

    pub(super) fn on_unique(mut self, on_unique: OnUnique) -> Stmt {
        self.on_unique = on_unique;
        self
    }

    /// The statement must change exactly one row, else `fail`.
    pub(super) fn one_row(mut self, fail: Fail) -> Stmt {
        self.one_row = Some(fail);
        self
    }

    /// Runs the statement alone inside the batch's transaction.
    pub(super) async fn run(self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        let mut args = SqliteArguments::default();
        add_all(&mut args, &self.args)?;
        let res = sqlx::query_with(self.sql, args).execute(&mut **tx).await;
        self.judge(res.map(|r| r.rows_affected()))
    }

    /// What the statement's outcome (rows changed, or the database's
    /// error) means.
    pub(super) fn judge(&self, outcome: Result<u64, sqlx::Error>) -> Result<(), StoreError> {
        match outcome {
            Ok(rows) => match &self.one_row {
                Some(fail) if rows != 1 => Err(fail.error()),
                _ => Ok(()),
            },
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                Err(match &self.on_unique {
                    OnUnique::Raw => StoreError::Database(sqlx::Error::Database(db)),
                    OnUnique::Conflict => StoreError::Conflict(db.message().to_string()),
                    OnUnique::AlreadyDone(m) => StoreError::AlreadyDone(m.clone()),
                })
            }
            Err(e) => Err(StoreError::Database(e)),
        }
    }
}

/// Binds `vals` after what `args` holds.
pub(super) fn add_all(args: &mut SqliteArguments<'_>, vals: &[Val]) -> Result<(), StoreError> {
    for v in vals {
        match v {
            Val::Int(i) => args.add(*i),
            Val::Text(t) => args.add(t.clone()),
        }
        .map_err(|e| StoreError::Database(sqlx::Error::Encode(e)))?;
    }
    Ok(())
}
