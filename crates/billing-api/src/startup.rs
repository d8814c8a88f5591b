//! Building the application: state, router and listener.

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Mode};
use crate::error::ApiError;
use crate::gateway::SimulatedGateway;
use crate::idempotency::idempotency;
use crate::openapi::ApiDoc;
use crate::routes;
use crate::security_headers::security_headers;
use crate::services::seed;
use crate::state::{AppState, Shared};
use crate::store::{self, Store};
use crate::{mail, scheduler};
use anyhow::{bail, Context};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Extension, Router};
use billing_domain::cancel_flow::{CancelFlow, CancelFlowFile};
use billing_domain::catalog::{Catalog, CatalogFile};
use billing_domain::seller::{Seller, SellerFile};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// Reads and validates the catalog file.
pub fn load_catalog(path: &std::path::Path) -> anyhow::Result<Catalog> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the catalog {}", path.display()))?;
    let file: CatalogFile =
        toml::from_str(&text).with_context(|| format!("parsing the catalog {}", path.display()))?;
    Catalog::from_file(file).with_context(|| format!("checking the catalog {}", path.display()))
}

/// Reads and validates the cancel flow's configuration.
pub fn load_cancel_flow(path: &std::path::Path, catalog: &Catalog) -> anyhow::Result<CancelFlow> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the cancel flow {}", path.display()))?;
    let file: CancelFlowFile = toml::from_str(&text)
        .with_context(|| format!("parsing the cancel flow {}", path.display()))?;
    CancelFlow::from_file(file, catalog)
        .with_context(|| format!("checking the cancel flow {}", path.display()))
}

/// Reads and checks the seller's details.
pub fn load_seller(path: &std::path::Path) -> anyhow::Result<Seller> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the seller {} (BILLING_SELLER)", path.display()))?;
    let file: SellerFile =
        toml::from_str(&text).with_context(|| format!("parsing the seller {}", path.display()))?;
    Seller::from_file(file).map_err(|e| {
        anyhow::anyhow!(
            "checking the seller {}: {} ({})",
            path.display(),
            e.message,
            e.param
        )
    })
}

/// Builds the state: loads the catalog, enforces production's refusals and
/// seeds demo data where asked.
pub async fn prepare_state(
    config: Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<AppState> {
    if config.mode == Mode::Production {
        if config.seed_demo {
            bail!("production mode refuses to seed demo data (unset BILLING_SEED_DEMO)");
        }
        if store.has_demo_data().await? {
            bail!("production mode refuses to start on a database that holds demo data");
        }
    }
    let catalog = load_catalog(&config.catalog_path)?;
    let cancel_flow = load_cancel_flow(&config.cancel_flow_path, &catalog)?;
    let seller = load_seller(&config.seller_path)?;
    let state = AppState::new(Shared {
        seller: Arc::new(seller),
        cancel_flow: Arc::new(cancel_flow),
        gateway: Arc::new(SimulatedGateway::new(store.clone())),
        store,
        catalog: Arc::new(catalog),
        config: Arc::new(config),
        clock,
        faults: Default::default(),
    });
    if state.config.seed_demo && seed::seed_demo(&state).await? {
        tracing::info!("seeded the demo accounts");
    }
    Ok(state)
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (api, doc) = routes::api_router(state.config.mode).split_for_parts();
    let mut full_doc = ApiDoc::openapi();
    full_doc.merge(doc);
    let doc: routes::health::OpenApiDoc = Arc::new(crate::openapi_rules::finish(full_doc, &state));
    let router = api
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        // On matched routes only: a method no route takes is a 405 before
        // any Idempotency-Key is asked for.
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency))
        .layer(Extension(doc))
        .layer(middleware::from_fn(refuse_foreign_origin))
        .layer(DefaultBodyLimit::max(crate::config::BODY_LIMIT));
    let dist = state.config.dist.clone();
    let production = state.config.mode == Mode::Production;
    let router = router.with_state(state);
    let router = match dist {
        Some(dist) => {
            let index = ServeFile::new(dist.join("index.html"))
                .precompressed_br()
                .precompressed_gzip();
            router.fallback_service(
                ServeDir::new(&dist)
                    .precompressed_br()
                    .precompressed_gzip()
                    .fallback(index),
            )
        }
        None => router.fallback(api_not_found),
    };
    let hsts = production;
    router
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            security_headers(hsts, req, next)
        }))
        .layer(TraceLayer::new_for_http())
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound("route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Refuses state-changing requests sent from another origin (SPEC §9): the
/// `Origin` header, when present, must name this server's host.
async fn refuse_foreign_origin(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let headers = req.headers();
        let cross_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let foreign_origin = headers.get(header::ORIGIN).is_some_and(|origin| {
            let authority = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://"))
                .map(|(_, authority)| authority);
            authority.is_none() || authority != host
        });
        if cross_site || foreign_origin {
            return ApiError::ForeignOrigin.into_response();
        }
    }
    next.run(req).await
}

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    state: AppState,
}

impl Application {
    /// Connects the store, migrates, prepares the state and binds the
    /// configured address (port 0 picks a free port, as tests do).
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let store = store::connect(&config.database_url).await?;
        store.migrate().await.context("migrating the database")?;
        Self::build_with(config, store, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`] with a given store and clock.
    pub async fn build_with(
        config: Config,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let address = listener.local_addr()?;
        let mut config = config;
        if config.public_url.is_none() {
            if config.mode == Mode::Production {
                tracing::warn!("BILLING_PUBLIC_URL is unset: links in e-mails name {address}");
            }
            config.public_url = Some(format!("http://{address}"));
        }
        let state = prepare_state(config, store, clock).await?;
        Ok(Application {
            router: app(state.clone()),
            listener,
            address,
            state,
        })
    }

    /// The address actually bound.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The shared state (for tests that inspect the store).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM, with the scheduler and (if an SMTP
    /// URL or a webhook URL is configured) mail and webhook delivery
    /// running beside it.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves as [`Application::run_until_stopped`] does until `stop`
    /// completes (tests pass one that never does: a test's server must not
    /// hang on the process's signals, which the runtimes of other tests
    /// come and go beside).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let scheduler = tokio::spawn(scheduler::run_forever(
            self.state.clone(),
            std::time::Duration::from_secs(30),
            scheduler::concurrency(&self.state),
        ));
        let mailer = self
            .state
            .config
            .smtp_url
            .clone()
            .map(|url| tokio::spawn(mail::deliver_forever(self.state.clone(), url)));
        // Prompt in test mode: a round every tenth of a second.
        let every = if self.state.config.mode == Mode::Test {
            std::time::Duration::from_millis(100)
        } else {
            std::time::Duration::from_secs(2)
        };
        let webhooks = self.state.config.webhook.clone().map(|config| {
            tokio::spawn(crate::webhooks::deliver_forever(
                self.state.clone(),
                config,
                every,
            ))
        });
        let housekeeping = tokio::spawn(crate::services::housekeeping::run_forever(
            self.state.clone(),
            std::time::Duration::from_secs(3600),
        ));
        let _stop_background = AbortOnDrop(
            [Some(scheduler), mailer, webhooks, Some(housekeeping)]
                .into_iter()
                .flatten()
                .collect(),
        );
        // The peer address keys sign-in throttling (`extract::ClientAddr`).
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(stop)
            .await?;
        Ok(())
    }
}

/// Stops the background tasks when the server stops.
struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for handle in self.0.drain(..) {
            handle.abort();
        }
    }
}

async fn shutdown_signal() {
    // A signal that cannot be listened for never stops the server (it is
    // not a request to stop).
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            if s.recv().await.is_some() {
                return;
            }
        }
        std::future::pending::<()>().await;
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
