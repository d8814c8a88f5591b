//! A few connections kept for the reads every signed-in request starts with
//! (its session, the overview), beside the engine's pool.
//!
//! sqlx's pool tests each connection as it is given back (a ping: one more
//! trip to the database or to SQLite's thread, on a task of its own), so
//! every pooled query costs two trips. For a request whose whole work is
//! one query that doubles its cost; these connections skip it. They are
//! checked where it matters instead: before use after sitting idle (as the
//! pools are), and one whose query did not finish (a request dropped
//! midway) is pinged before it is taken back, as sqlx's pool does with
//! every one; one whose query failed for an I/O or protocol reason is
//! closed.

use crate::store::StoreError;
use sqlx::{ConnectOptions, Connection};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a connection may sit idle before it is pinged on its next use.
const PING_WHEN_IDLE: Duration = Duration::from_secs(1);

/// Up to `size` connections opened with `options` as they are needed.
pub(super) struct Readers<C: Connection + 'static> {
    options: <C as Connection>::Options,
    idle: Mutex<Vec<(C, Instant)>>,
    /// One permit per connection that may be in use: `size` in all.
    slots: Arc<Semaphore>,
    size: usize,
}

impl<C: Connection + 'static> std::fmt::Debug for Readers<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("size", &self.size).finish()
    }
}

impl<C: Connection + 'static> Readers<C> {
    /// At most `size` connections (at least one), none opened yet.
    pub(super) fn new(options: <C as Connection>::Options, size: usize) -> Readers<C> {
        let size = size.max(1);
        Readers {
            options,
            idle: Mutex::new(Vec::with_capacity(size)),
            slots: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    /// A connection of its own for one read: an idle one (pinged first if
    /// it sat idle a while), else a new one.
    pub(super) async fn acquire(self: &Arc<Self>) -> Result<Reader<C>, StoreError> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
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
            readers: self.clone(),
            state: State::Running,
            slot: Some(slot),
        })
    }

    fn give_back(&self, conn: C) {
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((conn, Instant::now()));
    }
}

/// How the query on a reader connection ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not yet: dropped in this state, the query was abandoned midway.
    Running,
    /// With rows or an error the database reported: ready for another.
    Finished,
    /// The connection failed.
    Broken,
}

/// A reader connection in use, given back when dropped (see
/// [`Reader::settle`]).
pub(super) struct Reader<C: Connection + 'static> {
    conn: Option<C>,
    readers: Arc<Readers<C>>,
    state: State,
    /// Held until the connection is back or closed.
    slot: Option<OwnedSemaphorePermit>,
}

impl<C: Connection + 'static> Reader<C> {
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
        self.state = match outcome {
            Ok(_) | Err(sqlx::Error::Database(_)) => State::Finished,
            Err(_) => State::Broken,
        };
        Ok(outcome?)
    }
}

impl<C: Connection + 'static> Drop for Reader<C> {
    fn drop(&mut self) {
        let (Some(mut conn), Some(slot)) = (self.conn.take(), self.slot.take()) else {
            return;
        };
        match self.state {
            State::Finished => self.readers.give_back(conn),
            // Closed by dropping it; the slot lets the next read open another.
            State::Broken => {}
            // The abandoned query's answer may still be on its way: a ping
            // waits it out, off this (dropped) request. Without a runtime
            // to do that on, the connection is closed.
            State::Running => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    let readers = self.readers.clone();
                    runtime.spawn(async move {
                        if conn.ping().await.is_ok() {
                            readers.give_back(conn);
                        }
                        drop(slot);
                    });
                }
            }
        }
    }
}
