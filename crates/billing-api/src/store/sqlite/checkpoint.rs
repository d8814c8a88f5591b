//! Checkpoints of the write-ahead log, on a thread of their own.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its
//! threshold, on the writer: a profile of the scheduler found one commit in
//! a hundred copying eighty megabytes back into the database file while
//! every other writer waited for it. The store's connections therefore
//! leave checkpoints to this thread ([`PRAGMAS`](super::PRAGMAS) turns
//! the automatic ones off), which runs a passive checkpoint (never waiting
//! for, nor blocking, a reader or a writer) a few times a second while the
//! store is open, and a last one as it closes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How often the log is checkpointed.
const EVERY: Duration = Duration::from_millis(250);

/// The checkpointing thread of one store, stopped when dropped.
pub(super) struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Checkpointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpointer").finish_non_exhaustive()
    }
}

impl Checkpointer {
    /// Starts checkpointing the log of `file`.
    pub(super) fn start(file: &Path) -> std::io::Result<Checkpointer> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let file: PathBuf = file.to_path_buf();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&file, &flag))?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(file: &Path, stop: &(Mutex<bool>, Condvar)) {
    let conn = match super::direct::open(file) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::error!(error = %e, file = %file.display(), "the WAL checkpointer could not open the database; the log grows until the store closes");
            return;
        }
    };
    let (stopped, wake) = stop;
    loop {
        let guard = stopped.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = wake
            .wait_timeout_while(guard, EVERY, |stopped| !*stopped)
            .unwrap_or_else(|p| p.into_inner());
        let last = *guard;
        drop(guard);
        checkpoint(&conn);
        if last {
            return;
        }
    }
}

/// Copies what the log holds back into the database file, as far as no
/// reader still needs it; a failure is logged and tried again next time.
fn checkpoint(conn: &rusqlite::Connection) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "checkpointing the WAL failed; trying again");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Rows committed with checkpoints off stay in the log; the
    /// checkpointer copies them into the database file, and stops when
    /// dropped.
    #[test]
    fn the_log_is_copied_into_the_database_file_off_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("checkpoint.db");
        let writer = super::super::direct::open(&file).unwrap();
        writer
            .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .unwrap();
        let before = std::fs::metadata(&file).unwrap().len();
        for i in 0..2_000 {
            writer
                .execute("INSERT INTO t (id, v) VALUES (?, ?)", (i, "x".repeat(200)))
                .unwrap();
        }
        let wal = dir.path().join("checkpoint.db-wal");
        assert!(
            std::fs::metadata(&wal).unwrap().len() > 400_000,
            "the rows are in the log"
        );
        assert_eq!(
            std::fs::metadata(&file).unwrap().len(),
            before,
            "no commit checkpointed"
        );

        let checkpointer = Checkpointer::start(&file).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(&file).unwrap().len() < 400_000 {
            assert!(Instant::now() < deadline, "the log was never checkpointed");
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(checkpointer);
        let rows: i64 = writer
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 2_000);
    }
}
