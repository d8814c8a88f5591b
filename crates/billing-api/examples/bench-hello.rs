//! The baseline `cargo xtask bench` holds the API against: bare axum on the
//! same runtime as the API's server (`#[tokio::main]`, `axum::serve`, the
//! same allocator), answering `GET /` with `hello`. Listens on
//! `BENCH_HELLO_ADDR`.

use axum::routing::get;
use axum::Router;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::var("BENCH_HELLO_ADDR").unwrap_or_else(|_| "127.0.0.1:8081".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let app = Router::new().route("/", get(|| async { "hello" }));
    axum::serve(listener, app).await?;
    Ok(())
}
