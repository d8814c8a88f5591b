//! The billing API server: read the configuration, build, serve. Also, for
//! the vendor: `billing-api report save-rate --from DATE --to DATE`, and
//! `billing-api withdrawals list` / `billing-api withdrawals decide ID paid|declined`.

use billing_api::{config::Config, startup::Application};

/// mimalloc rather than the system's allocator: the SQLite store's rows
/// are allocated on its connection threads and freed on the runtime's,
/// and glibc's allocator takes a lock on the other thread's arena for each
/// such free; a signed-in read spent a tenth of its time there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = Config::from_env()?;
    if args.first().map(String::as_str) == Some("report") {
        if args.get(1).map(String::as_str) != Some("save-rate") {
            anyhow::bail!("usage: billing-api report save-rate --from YYYY-MM-DD --to YYYY-MM-DD");
        }
        let store = billing_api::store::connect(&config.database_url).await?;
        store.migrate().await?;
        print!(
            "{}",
            billing_api::report::save_rate(store.as_ref(), &args[2..]).await?
        );
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("withdrawals") {
        return withdrawals(config, &args[1..]).await;
    }
    let app = Application::build(config).await?;
    tracing::info!("billing API listening on http://{}", app.address());
    app.run_until_stopped().await
}

/// `billing-api withdrawals list` and `billing-api withdrawals decide ID paid|declined`.
async fn withdrawals(config: Config, args: &[String]) -> anyhow::Result<()> {
    const USAGE: &str = "usage: billing-api withdrawals list ACCOUNT_ID | billing-api withdrawals decide WITHDRAWAL_ID paid|declined";
    let store = billing_api::store::connect(&config.database_url).await?;
    store.migrate().await?;
    let clock: std::sync::Arc<dyn billing_api::clock::Clock> =
        std::sync::Arc::new(billing_api::clock::SystemClock);
    let state = billing_api::startup::prepare_state(
        Config {
            seed_demo: false,
            ..config
        },
        store,
        clock,
    )
    .await?;
    match (args.first().map(String::as_str), args.get(1), args.get(2)) {
        (Some("list"), Some(account_id), None) => {
            for w in state.store.withdrawals(account_id).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    w.id,
                    w.amount.format(),
                    w.status,
                    w.requested_at.to_rfc3339()
                );
            }
            Ok(())
        }
        (Some("decide"), Some(id), Some(decision)) => {
            let paid = match decision.as_str() {
                "paid" => true,
                "declined" => false,
                _ => anyhow::bail!(USAGE),
            };
            let w = billing_api::services::cancel::decide_withdrawal(
                &state,
                id,
                paid,
                "billing team (CLI)",
            )
            .await?;
            println!("{} {}: {}", w.id, w.amount.format(), w.status);
            Ok(())
        }
        _ => anyhow::bail!(USAGE),
    }
}
