//! A few connections kept for the reads every signed-in request starts with
//! (its session, the overview), beside the engine's pool.
//!
//! sqlx's pool tests each connection as it is given back (a ping: one more
//! trip to the database or to SQLite's thread, on a task of its own), so
//! every pooled query costs two trips. For a request whose whole work is
//! one query that doubles its cost; these connections skip it. They are
//! checked where it matters instead: before use after sitting idle (as the
//! pools are), and one whose query did not finish cleanly (an I/O or
//! protocol failure, or a request dropped midway) is closed, never reused.

use crate::store::StoreError;
use sqlx::{ConnectOptions, Connection};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a connection may sit idle before it is pinged on its next use.
const PING_WHEN_IDLE: Duration = Duration::from_secs(1);

/// Up to `size` connections opened with `options` as they are needed.
pub(super) struct Readers<C: Connection> {
    options: <C as Connection>::Options,
    idle: Mutex<Vec<(C, Instant)>>,
    /// One permit per connection that may be in use: `size` in all.
    slots: Semaphore,
    size: usize,
}

impl<C: Connection> std::fmt::Debug for Readers<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("size", &self.size).finish()
    }
}

impl<C: Connection> Readers<C> {
    /// At most `size` connections (at least one), none opened yet.
    pub(super) fn new(options: <C as Connection>::Options, size: usize) -> Readers<C> {
        let size = size.max(1);
        Readers {
            options,
            idle: Mutex::new(Vec::with_capacity(size)),
            slots: Semaphore::new(size),
            size,
        }
    }

    /// A connection of its own for one read: an idle one (pinged first if
    /// it sat idle a while), else a new one.
    pub(super) async fn acquire(&self) -> Result<Reader<'_, C>, StoreError> {
        let slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some((mut conn, since)) => {
                if since.elapsed() < PING_WHEN_IDLE || conn.ping().await.is_ok() {
                    conn
                } else {
                    self.options.connect().await?
                }
            }
            None => self.options.connect().await?,
        };
        Ok(Reader {
            conn: Some(conn),
            readers: self,
            clean: false,
            _slot: slot,
        })
    }
}

/// A reader connection in use; given back when dropped if its query
/// finished cleanly (see [`Reader::settle`]), else closed.
pub(super) struct Reader<'a, C: Connection> {
    conn: Option<C>,
    readers: &'a Readers<C>,
    clean: bool,
    _slot: SemaphorePermit<'a>,
}

impl<C: Connection> Reader<'_, C> {
    /// The connection, for one query.
    pub(super) fn conn(&mut self) -> &mut C {
        self.conn
            .as_mut()
            .expect("a reader holds its connection until dropped")
    }

    /// The outcome of the query run on this connection: it is given back
    /// unless the failure was the connection's (anything but an error the
    /// database reported about the statement).
    pub(super) fn settle<T>(mut self, outcome: Result<T, sqlx::Error>) -> Result<T, StoreError> {
        self.clean = matches!(outcome, Ok(_) | Err(sqlx::Error::Database(_)));
        Ok(outcome?)
    }
}

impl<C: Connection> Drop for Reader<'_, C> {
    fn drop(&mut self) {
        if let (true, Some(conn)) = (self.clean, self.conn.take()) {
            self.readers
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((conn, Instant::now()));
        }
        // Otherwise the connection is dropped here, closing it, and the
        // slot lets the next read open a fresh one.
    }
}
