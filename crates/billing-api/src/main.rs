//! The billing API server: read the configuration, build, serve. Also
//! `billing-api report save-rate --from DATE --to DATE` for the vendor.

use billing_api::{config::Config, startup::Application};

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
    let app = Application::build(config).await?;
    tracing::info!("billing API listening on http://{}", app.address());
    app.run_until_stopped().await
}
