//! The database a test runs on, shared by the test binaries: a fresh
//! database on the PostgreSQL cluster `TEST_DATABASE_URL` names (e.g.
//! `postgres://postgres@127.0.0.1:55432/postgres`), else a fresh SQLite file
//! in the test's temporary directory.

use sqlx::Connection;
use std::path::Path;

/// The URL of a new, empty database for one test.
pub async fn fresh_database_url(dir: &Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(cluster) if !cluster.trim().is_empty() => {
            assert!(
                cluster.starts_with("postgres://") || cluster.starts_with("postgresql://"),
                "TEST_DATABASE_URL must name a PostgreSQL cluster (postgres://…), got `{cluster}`"
            );
            fresh_postgres_database(&cluster).await
        }
        _ => format!("sqlite://{}", dir.join("billing.db").display()),
    }
}

/// Creates `t_<random>` on the cluster and returns its URL.
async fn fresh_postgres_database(cluster: &str) -> String {
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(cluster)
        .await
        .expect("connecting to the cluster TEST_DATABASE_URL names");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("creating a test database");
    conn.close().await.ok();
    with_database(cluster, &name)
}

/// `url` with its database name replaced by `name` (query kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").expect("a URL with a scheme");
    let authority = rest.split('/').next().unwrap_or(rest);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}
