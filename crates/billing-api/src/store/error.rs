//! How the store fails: one error type for every engine.

/// A failure of the store itself (never a business rule).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database driver failed (connection, I/O, a query).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Bringing the schema up to date failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value does not parse as what it should be.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A unique constraint refused the write (e.g. a second open access request).
    #[error("unique constraint: {0}")]
    Conflict(String),
    /// The subscription changed since it was read (optimistic concurrency).
    #[error("the subscription was changed by someone else")]
    VersionConflict,
    /// A once-only marker already exists: the work was done before.
    #[error("already done: {0}")]
    AlreadyDone(String),
    /// The batch would break the ledger (a negative balance).
    #[error("ledger: {0}")]
    Ledger(String),
    /// A fault injected by a test (test mode only).
    #[error("injected fault: {0}")]
    Injected(&'static str),
}
