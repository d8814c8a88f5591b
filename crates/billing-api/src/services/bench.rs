//! The renewal benchmark's measurements besides the renewals themselves:
//! how fast the database commits single rows, the limit any per-row work
//! is held against.

use crate::ids::new_id;
use crate::services::error::ServiceResult;
use crate::state::AppState;
use std::time::{Duration, Instant};

/// Commits `rows` single-row transactions into a scratch table, from
/// `concurrency` tasks at once, and returns how long that took. The table
/// is dropped afterwards.
pub async fn insert_rate(
    state: &AppState,
    rows: usize,
    concurrency: usize,
) -> ServiceResult<Duration> {
    state.store.scratch_table(true).await?;
    let at = state.clock.now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (store, next) = (state.store.clone(), next.clone());
        tasks.spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < rows {
                store.scratch_insert(&new_id("row"), at).await?;
            }
            Ok::<_, crate::store::StoreError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(anyhow::Error::from)??;
    }
    let took = started.elapsed();
    state.store.scratch_table(false).await?;
    Ok(took)
}
