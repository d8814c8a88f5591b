//! The baselines `cargo xtask bench` holds the API against: bare axum on the
//! same runtime as the API's server (`#[tokio::main]`, `axum::serve`, the
//! same allocator), answering `GET /` with `hello`. Listens on
//! `BENCH_HELLO_ADDR`.
//!
//! With `BENCH_HELLO_DATABASE_URL` (a `postgres://` URL) it also answers
//! `GET /db` after one `SELECT 1` on that database, on as many connections
//! as the API keeps for its reads by default, each used by one request at a
//! time: the most any design can serve that goes to the database once per
//! request, as the API must to look up the session.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sqlx::{Connection, PgConnection};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Mutex;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// As many as `PgStore` gives its reader connections by default (half of
/// its pool of 16).
const CONNECTIONS: usize = 8;

/// Connections taken in turn; a request waits for its turn's connection.
struct Trips {
    conns: Vec<Mutex<PgConnection>>,
    next: AtomicUsize,
}

async fn one_trip(State(trips): State<Arc<Trips>>) -> Result<&'static str, StatusCode> {
    let turn = trips.next.fetch_add(1, Ordering::Relaxed) % trips.conns.len();
    let mut conn = trips.conns[turn].lock().await;
    let (one,): (i32,) = sqlx::query_as("SELECT 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    if one == 1 {
        Ok("hello")
    } else {
        Err(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::var("BENCH_HELLO_ADDR").unwrap_or_else(|_| "127.0.0.1:8081".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let mut app = Router::new().route("/", get(|| async { "hello" }));
    if let Ok(url) = std::env::var("BENCH_HELLO_DATABASE_URL") {
        let mut conns = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            conns.push(Mutex::new(PgConnection::connect(&url).await?));
        }
        let trips = Arc::new(Trips {
            conns,
            next: AtomicUsize::new(0),
        });
        app = app.merge(Router::new().route("/db", get(one_trip)).with_state(trips));
    }
    axum::serve(listener, app).await?;
    Ok(())
}
