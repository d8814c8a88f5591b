//! `spawn_app()` and typed request helpers.

use billing_api::config::{default_catalog_path, Config, Mode};
use billing_api::startup::Application;
use billing_domain::wire::{ErrorBody, SessionInfo, TestAccount};
use reqwest::StatusCode;
use serde_json::Value;

/// A running application and where to reach it.
pub struct TestApp {
    pub address: String,
    pub state: billing_api::state::AppState,
    /// Shared by the instances of one database.
    _db_dir: std::sync::Arc<tempfile::TempDir>,
}

/// A client with its own cookie jar: one signed-in browser.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

/// Starts the app in `mode` on a fresh database (on the PostgreSQL cluster
/// `TEST_DATABASE_URL` names, else a SQLite file), optionally with demo data.
pub async fn spawn_app_with(mode: Mode, seed_demo: bool) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
    let url = crate::database::fresh_database_url(dir.path()).await;
    spawn_on(&url, dir, mode, seed_demo, None).await
}

/// Starts the app in test mode serving the built SPA files in `dist`.
pub async fn spawn_app_serving(dist: std::path::PathBuf) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
    let url = crate::database::fresh_database_url(dir.path()).await;
    spawn_on(&url, dir, Mode::Test, false, Some(dist)).await
}

/// `n` API instances (test mode) on one fresh database, as several
/// processes behind a load balancer would run: each with its own port,
/// pool, scheduler and mail sender.
pub async fn spawn_instances(n: usize) -> Vec<TestApp> {
    spawn_instances_configured(n, |_| {}).await
}

/// As [`spawn_instances`], each with the configuration `tweak` makes.
pub async fn spawn_instances_configured(n: usize, tweak: impl Fn(&mut Config)) -> Vec<TestApp> {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
    let url = crate::database::fresh_database_url(dir.path()).await;
    let mut apps = Vec::new();
    for _ in 0..n {
        let mut config = test_config(&url, Mode::Test, false);
        tweak(&mut config);
        let app = Application::build(config).await.expect("app builds");
        apps.push(start(app, dir.clone()));
    }
    apps
}

async fn spawn_on(
    url: &str,
    dir: std::sync::Arc<tempfile::TempDir>,
    mode: Mode,
    seed_demo: bool,
    dist: Option<std::path::PathBuf>,
) -> TestApp {
    let config = Config {
        dist,
        ..test_config(url, mode, seed_demo)
    };
    let app = Application::build(config).await.expect("app builds");
    start(app, dir)
}

/// The configuration of a test app on the database `url`.
fn test_config(url: &str, mode: Mode, seed_demo: bool) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: url.to_string(),
        mode,
        dist: None,
        smtp_url: None,
        catalog_path: default_catalog_path(),
        cancel_flow_path: billing_api::config::default_cancel_flow_path(),
        seller_path: billing_api::config::default_seller_path(),
        seed_demo,
        security: Default::default(),
        public_url: None,
        webhook: None,
        vendor_api_key: None,
    }
}

/// Starts the app in test mode on a fresh database with the configuration
/// `tweak` makes, and on `clock` (the system's when `None`).
pub async fn spawn_app_configured(
    tweak: impl FnOnce(&mut Config),
    clock: Option<std::sync::Arc<dyn billing_api::clock::Clock>>,
) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
    let url = crate::database::fresh_database_url(dir.path()).await;
    let mut config = test_config(&url, Mode::Test, false);
    tweak(&mut config);
    let store = billing_api::store::connect(&config.database_url)
        .await
        .expect("store connects");
    store.migrate().await.expect("store migrates");
    let clock = clock.unwrap_or_else(|| std::sync::Arc::new(billing_api::clock::SystemClock));
    let app = Application::build_with(config, store, clock)
        .await
        .expect("app builds");
    start(app, dir)
}

fn start(app: Application, dir: std::sync::Arc<tempfile::TempDir>) -> TestApp {
    let address = format!("http://{}", app.address());
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        address,
        state,
        _db_dir: dir,
    }
}

/// Starts the app in test mode on a fresh, empty database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Mode::Test, false).await
}

impl TestApp {
    /// A new client with an empty cookie jar.
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: self.address.clone(),
        }
    }

    /// A fresh test account with one user per role.
    pub async fn test_account(&self) -> TestAccount {
        let res = self
            .client()
            .post("/api/test/accounts")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    /// A client signed in as the test account's user with this role label.
    pub async fn signed_in(&self, account: &TestAccount, role: &str) -> Client {
        let user = account.user(role).unwrap_or_else(|| panic!("no {role}"));
        self.sign_in(&user.email, &user.password).await
    }

    /// A client signed in with these credentials (panics if refused).
    pub async fn sign_in(&self, email: &str, password: &str) -> Client {
        let client = self.client();
        let res = client.sign_in(email, password).await;
        assert_eq!(res.status(), StatusCode::OK, "signing in as {email}");
        client
    }
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A GET request.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path))
    }

    /// A POST request with a fresh Idempotency-Key.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.post_raw(path).header("idempotency-key", fresh_key())
    }

    /// A POST request with no Idempotency-Key.
    pub fn post_raw(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path))
    }

    /// A PATCH request with a fresh Idempotency-Key.
    pub fn patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.patch_raw(path).header("idempotency-key", fresh_key())
    }

    /// A PATCH request with no Idempotency-Key.
    pub fn patch_raw(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path))
    }

    /// A DELETE request with a fresh Idempotency-Key.
    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .delete(self.url(path))
            .header("idempotency-key", fresh_key())
    }

    /// `POST /api/session`.
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post("/api/session")
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// `GET /api/session`, expecting success.
    pub async fn session(&self) -> SessionInfo {
        let res = self.get("/api/session").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// GETs `path` and returns the status and JSON body.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let res = self.get(path).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// A new random idempotency key.
pub fn fresh_key() -> String {
    format!("test-{}", uuid::Uuid::new_v4())
}

/// Reads a response that must be an API error with `status`.
pub async fn expect_error(res: reqwest::Response, status: StatusCode) -> ErrorBody {
    assert_eq!(res.status(), status);
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    res.json().await.expect("an error body")
}

impl Client {
    /// A PUT request.
    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.put(self.url(path))
    }

    /// A request with any method and no Idempotency-Key.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path))
    }
}

/// Seconds in a day.
pub const DAY: i64 = 86_400;

impl TestApp {
    /// A fresh test account with no card on file.
    pub async fn test_account_without_card(&self) -> TestAccount {
        let res = self
            .client()
            .post("/api/test/accounts")
            .json(&serde_json::json!({ "with_card": false }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    /// A fresh test account on `plan` (Premium: billed yearly, a contract),
    /// set up as Customer Success would, not through a self-serve change.
    pub async fn test_account_on(&self, plan: &str) -> TestAccount {
        let res = self
            .client()
            .post("/api/test/accounts")
            .json(&serde_json::json!({ "plan": plan }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    /// Advances the account's clock, running what fell due; returns the new time.
    pub async fn advance(
        &self,
        account: &TestAccount,
        seconds: i64,
    ) -> chrono::DateTime<chrono::Utc> {
        let res = self
            .client()
            .post(&format!("/api/test/accounts/{}/clock", account.account_id))
            .json(&serde_json::json!({ "advance_seconds": seconds }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "advancing the clock");
        let body: billing_domain::wire::ClockResponse = res.json().await.unwrap();
        body.now
    }

    /// The account's e-mails, newest first.
    pub async fn emails(&self, account: &TestAccount) -> Vec<billing_domain::wire::Email> {
        let res = self
            .client()
            .get(&format!("/api/test/accounts/{}/emails", account.account_id))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<billing_domain::wire::EmailList>()
            .await
            .unwrap()
            .data
    }

    /// How many e-mails of `kind` the account was sent.
    pub async fn count_emails(&self, account: &TestAccount, kind: &str) -> usize {
        self.emails(account)
            .await
            .iter()
            .filter(|e| e.kind == kind)
            .count()
    }
}

impl Client {
    /// The billing overview, expecting success.
    pub async fn overview(&self) -> billing_domain::wire::BillingOverview {
        let res = self.get("/api/billing/overview").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// Every invoice, newest first.
    pub async fn invoices(&self) -> Vec<billing_domain::wire::Invoice> {
        let res = self.get("/api/invoices?limit=100").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<billing_domain::wire::InvoiceList>()
            .await
            .unwrap()
            .data
    }

    /// Tokenizes a card (expiry 12/2034, CVC 123 or 1234 for Amex).
    pub async fn tokenize(&self, number: &str) -> reqwest::Response {
        let cvc = if number.starts_with("34") || number.starts_with("37") {
            "1234"
        } else {
            "123"
        };
        self.post("/api/gateway/tokens")
            .json(&serde_json::json!({ "number": number, "exp_month": 12, "exp_year": 2034, "cvc": cvc }))
            .send()
            .await
            .unwrap()
    }

    /// Pauses the subscription, which must be allowed.
    pub async fn pause(&self) {
        let res = self
            .post("/api/subscription/pause")
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "pausing");
    }

    /// Asks for the available credit to be paid out, which must be
    /// accepted; the withdrawal request.
    pub async fn withdraw(&self, note: &str) -> serde_json::Value {
        let res = self
            .post("/api/balance/withdrawals")
            .json(&serde_json::json!({ "note": note }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "requesting a withdrawal");
        res.json().await.unwrap()
    }

    /// Tokenizes `number` and saves it as the default card.
    pub async fn add_card(&self, number: &str) -> reqwest::Response {
        let res = self.tokenize(number).await;
        assert_eq!(res.status(), StatusCode::CREATED, "tokenizing {number}");
        let token: billing_domain::wire::CardToken = res.json().await.unwrap();
        self.post("/api/payment-methods")
            .json(&serde_json::json!({ "token": token.token }))
            .send()
            .await
            .unwrap()
    }
}

/// The test account of a signed-in client, enough to advance its clock.
pub async fn account_of(client: &Client) -> TestAccount {
    TestAccount {
        account_id: client.session().await.account.id,
        users: vec![],
    }
}
