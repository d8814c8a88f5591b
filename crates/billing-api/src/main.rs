//! The billing API server: read the configuration, build, serve.

use billing_api::{config::Config, startup::Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let config = Config::from_env()?;
    let app = Application::build(config).await?;
    tracing::info!("billing API listening on http://{}", app.address());
    app.run_until_stopped().await
}
