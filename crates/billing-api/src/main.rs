//! The billing API server: read the configuration, build, serve. Also, for
//! the vendor: `billing-api report save-rate --from DATE --to DATE`,
//! `billing-api withdrawals list` / `billing-api withdrawals decide ID paid|declined`,
//! `billing-api run-due [--concurrency C]` (one pass of the scheduler, then
//! exit), and the renewal benchmark's `billing-api bench seed N | check
//! SINCE | insert-rate N [--concurrency C]` (dev and test modes only).

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
    if args.first().map(String::as_str) == Some("run-due") {
        return run_due(config, &args[1..]).await;
    }
    if args.first().map(String::as_str) == Some("bench") {
        return bench(config, &args[1..]).await;
    }
    let app = Application::build(config).await?;
    tracing::info!("billing API listening on http://{}", app.address());
    app.run_until_stopped().await
}

/// The state a command runs on: the configured database, migrated, on the
/// system clock, with no demo data seeded.
async fn command_state(config: Config) -> anyhow::Result<billing_api::state::AppState> {
    let store = billing_api::store::connect(&config.database_url).await?;
    store.migrate().await?;
    let clock: std::sync::Arc<dyn billing_api::clock::Clock> =
        std::sync::Arc::new(billing_api::clock::SystemClock);
    billing_api::startup::prepare_state(
        Config {
            seed_demo: false,
            ..config
        },
        store,
        clock,
    )
    .await
}

/// The value of `--NAME VALUE` in `args`, parsed, or `default`.
fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("{name} needs a number")),
    }
}

/// `billing-api run-due [--concurrency C]`: what the scheduler does every
/// 30 seconds, once: every account's due work, C groups of accounts at a
/// time (by default as many as suit the store).
async fn run_due(config: Config, args: &[String]) -> anyhow::Result<()> {
    let state = command_state(config).await?;
    let concurrency = flag(
        args,
        "--concurrency",
        billing_api::scheduler::concurrency(&state),
    )?;
    let started = std::time::Instant::now();
    let pass = billing_api::scheduler::run_pass(&state, concurrency).await?;
    println!(
        "run-due: {} accounts, {} jobs, {} failed, {} busy in {:.3} s, {concurrency} groups at a time",
        pass.accounts,
        pass.jobs,
        pass.failed,
        pass.busy,
        started.elapsed().as_secs_f64()
    );
    if pass.failed > 0 {
        anyhow::bail!("{} accounts failed; see the log", pass.failed);
    }
    Ok(())
}

/// `billing-api bench seed N | check SINCE | insert-rate N [--concurrency C]`.
async fn bench(config: Config, args: &[String]) -> anyhow::Result<()> {
    const USAGE: &str = "usage: billing-api bench seed N | bench check SINCE_UNIX_SECONDS | bench insert-rate N [--concurrency C]";
    if config.mode == billing_api::config::Mode::Production {
        anyhow::bail!(
            "bench commands write made-up accounts: run them with BILLING_MODE=dev or test"
        );
    }
    let number = |i: usize| -> anyhow::Result<i64> {
        args.get(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow::anyhow!(USAGE))
    };
    let state = command_state(config).await?;
    let started = std::time::Instant::now();
    match args.first().map(String::as_str) {
        Some("seed") => {
            let count = number(1)? as usize;
            let period_end = billing_api::services::seed::seed_renewals_due(&state, count).await?;
            println!(
                "seeded: {count} accounts in {:.3} s, periods ending at {}",
                started.elapsed().as_secs_f64(),
                period_end.timestamp()
            );
        }
        Some("check") => {
            let since = billing_api::clock::from_unix(number(1)?);
            let t = state.store.renewal_tally(since).await?;
            println!("check: {} accounts", t.accounts);
            for (what, s) in [
                ("paid renewal invoices", t.paid_invoices),
                ("invoices", t.invoices),
                ("gateway charges", t.gateway_charges),
                ("ledger card charges", t.ledger_charges),
                ("e-mails", t.emails),
                ("renewal markers", t.renewal_markers),
            ] {
                println!(
                    "check: {what}: {} accounts once, {} never, {} more than once",
                    s.once, s.never, s.more
                );
            }
            println!(
                "check: exactly once: {}",
                if t.exactly_once() { "yes" } else { "NO" }
            );
        }
        Some("insert-rate") => {
            let rows = number(1)? as usize;
            let concurrency = flag(args, "--concurrency", 1)?;
            let took = billing_api::services::bench::insert_rate(&state, rows, concurrency).await?;
            println!(
                "insert-rate: {rows} single-row commits, {concurrency} at a time, in {:.3} s ({:.0} per second)",
                took.as_secs_f64(),
                rows as f64 / took.as_secs_f64()
            );
        }
        _ => anyhow::bail!(USAGE),
    }
    Ok(())
}

/// `billing-api withdrawals list` and `billing-api withdrawals decide ID paid|declined`.
async fn withdrawals(config: Config, args: &[String]) -> anyhow::Result<()> {
    const USAGE: &str = "usage: billing-api withdrawals list ACCOUNT_ID | billing-api withdrawals decide WITHDRAWAL_ID paid|declined";
    let state = command_state(config).await?;
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
