//! Multi-row inserts: many rows of a table in as few statements as the
//! limit on bound values allows.

use super::rows::map_unique;
use super::Tx;
use crate::store::StoreError;
use sqlx::query_builder::Separated;
use sqlx::{Postgres, QueryBuilder};

/// Bound values per statement, under PostgreSQL's limit (65,535).
const MAX_BINDS: usize = 60_000;

/// Inserts `rows` into the table `head` names (`INSERT INTO t (a, b) `), as
/// many rows per statement as the limit on bound values allows.
pub(super) async fn insert_rows<'r, T>(
    tx: &mut Tx<'_>,
    head: &str,
    columns: usize,
    rows: &'r [T],
    mut bind: impl FnMut(&mut Separated<'_, 'r, Postgres, &'static str>, &'r T),
) -> Result<(), StoreError> {
    for chunk in rows.chunks((MAX_BINDS / columns).max(1)) {
        let mut query = QueryBuilder::<Postgres>::new(head);
        query.push_values(chunk, |mut row, item| bind(&mut row, item));
        query.build().execute(&mut **tx).await.map_err(map_unique)?;
    }
    Ok(())
}
