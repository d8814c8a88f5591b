//! Configuration from environment variables (SPEC §10).

use anyhow::{bail, Context};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Largest JSON body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How the server runs: production refuses demo data and test routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Production,
    Dev,
    Test,
}

impl Mode {
    /// Parses `production`, `dev` or `test`.
    pub fn parse(s: &str) -> anyhow::Result<Mode> {
        match s {
            "production" => Ok(Mode::Production),
            "dev" => Ok(Mode::Dev),
            "test" => Ok(Mode::Test),
            other => bail!("BILLING_MODE must be production, dev or test, not `{other}`"),
        }
    }

    /// The mode's name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Mode::Production => "production",
            Mode::Dev => "dev",
            Mode::Test => "test",
        }
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BILLING_ADDR`, default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `BILLING_DATABASE_URL`, default a SQLite file under `data/`.
    pub database_url: String,
    /// `BILLING_MODE`, default production.
    pub mode: Mode,
    /// `BILLING_DIST`: the built SPA to serve; `None` serves the API only.
    pub dist: Option<PathBuf>,
    /// `BILLING_SMTP_URL`, optional.
    pub smtp_url: Option<String>,
    /// `BILLING_CATALOG`, default `config/catalog.toml`.
    pub catalog_path: PathBuf,
    /// `BILLING_CANCEL_FLOW`, default `config/cancel-flow.toml`.
    pub cancel_flow_path: PathBuf,
    /// `BILLING_SELLER`, default `config/seller.toml`: the seller on invoices.
    pub seller_path: PathBuf,
    /// `BILLING_SEED_DEMO`: seed the demo accounts into an empty database
    /// (default on in dev mode, never allowed in production).
    pub seed_demo: bool,
    /// Sign-in and session hardening (SPEC §14).
    pub security: SecurityConfig,
    /// `BILLING_PUBLIC_URL`: where users reach the portal, for links in
    /// e-mails (e.g. `https://billing.example.com`). Unset, the bound
    /// address (`http://host:port`), which suits dev and test only.
    pub public_url: Option<String>,
    /// `BILLING_WEBHOOK_URL` and `BILLING_WEBHOOK_SECRET` (SPEC §13):
    /// where billing events are POSTed, signed with the secret. Unset, no
    /// webhook is sent (events still wait in the outbox).
    pub webhook: Option<WebhookConfig>,
    /// `BILLING_VENDOR_API_KEY` (SPEC §13): the bearer key of the
    /// vendor's own API. Unset, every `/api/vendor/*` route answers 404.
    pub vendor_api_key: Option<String>,
}

/// Where webhooks go and the secret they are signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// An `http://` or `https://` URL.
    pub url: String,
    /// The HMAC-SHA256 key of the `Billing-Signature` header.
    pub secret: String,
}

// The secret stays out of logs.
impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The shortest vendor API key or webhook secret accepted.
pub const MIN_SECRET_LEN: usize = 16;

impl WebhookConfig {
    fn from_env(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<WebhookConfig>> {
        match (var("BILLING_WEBHOOK_URL"), var("BILLING_WEBHOOK_SECRET")) {
            (None, None) => Ok(None),
            (None, Some(_)) => {
                bail!("BILLING_WEBHOOK_SECRET is set but BILLING_WEBHOOK_URL is not")
            }
            (Some(_), None) => {
                bail!("BILLING_WEBHOOK_URL needs BILLING_WEBHOOK_SECRET to sign with")
            }
            (Some(url), Some(secret)) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    bail!("BILLING_WEBHOOK_URL must start with http:// or https://, not `{url}`");
                }
                if secret.len() < MIN_SECRET_LEN {
                    bail!("BILLING_WEBHOOK_SECRET must be at least {MIN_SECRET_LEN} characters");
                }
                Ok(Some(WebhookConfig { url, secret }))
            }
        }
    }
}

/// Sign-in and session hardening (SPEC §14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityConfig {
    /// `BILLING_TRUST_FORWARDED_FOR=1`: the client's address is the last
    /// hop of `X-Forwarded-For`, as the reverse proxy in front appends it.
    /// Off by default: the header is anyone's to forge, so sign-in
    /// throttling keys on the connection's peer address.
    pub trust_forwarded_for: bool,
    /// `BILLING_SESSION_IDLE_MINUTES` (default 30): a session unused this
    /// long ends.
    pub session_idle: chrono::Duration,
    /// `BILLING_SESSION_MAX_HOURS` (default 12): a session ends this long
    /// after sign-in, used or not.
    pub session_lifetime: chrono::Duration,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            trust_forwarded_for: false,
            session_idle: chrono::Duration::minutes(30),
            session_lifetime: chrono::Duration::hours(12),
        }
    }
}

impl SecurityConfig {
    fn from_env(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<SecurityConfig> {
        let defaults = SecurityConfig::default();
        let number = |name: &str| -> anyhow::Result<Option<i64>> {
            var(name)
                .map(|v| match v.parse::<i64>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => bail!("{name} must be a whole number above 0, not `{v}`"),
                })
                .transpose()
        };
        let trust_forwarded_for = match var("BILLING_TRUST_FORWARDED_FOR").as_deref() {
            None | Some("0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => bail!("BILLING_TRUST_FORWARDED_FOR must be 1 or 0, not `{other}`"),
        };
        let session_idle = number("BILLING_SESSION_IDLE_MINUTES")?
            .map_or(defaults.session_idle, chrono::Duration::minutes);
        let session_lifetime = number("BILLING_SESSION_MAX_HOURS")?
            .map_or(defaults.session_lifetime, chrono::Duration::hours);
        if session_idle > session_lifetime {
            bail!("BILLING_SESSION_IDLE_MINUTES must not be longer than BILLING_SESSION_MAX_HOURS");
        }
        Ok(SecurityConfig {
            trust_forwarded_for,
            session_idle,
            session_lifetime,
        })
    }
}

impl Config {
    /// Reads the environment.
    pub fn from_env() -> anyhow::Result<Config> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mode = Mode::parse(&var("BILLING_MODE").unwrap_or_else(|| "production".into()))?;
        let addr = var("BILLING_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("BILLING_ADDR must be host:port, e.g. 127.0.0.1:8080")?;
        let seed_demo = match var("BILLING_SEED_DEMO").as_deref() {
            None => mode == Mode::Dev,
            Some("1" | "true") => true,
            Some("0" | "false") => false,
            Some(other) => bail!("BILLING_SEED_DEMO must be 1 or 0, not `{other}`"),
        };
        Ok(Config {
            addr,
            database_url: var("BILLING_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/billing.db".into()),
            mode,
            dist: var("BILLING_DIST").map(PathBuf::from),
            smtp_url: var("BILLING_SMTP_URL"),
            catalog_path: var("BILLING_CATALOG")
                .map(PathBuf::from)
                .unwrap_or_else(default_catalog_path),
            cancel_flow_path: var("BILLING_CANCEL_FLOW")
                .map(PathBuf::from)
                .unwrap_or_else(default_cancel_flow_path),
            seller_path: var("BILLING_SELLER")
                .map(PathBuf::from)
                .unwrap_or_else(default_seller_path),
            seed_demo,
            security: SecurityConfig::from_env(&var)?,
            public_url: var("BILLING_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            webhook: WebhookConfig::from_env(&var)?,
            vendor_api_key: match var("BILLING_VENDOR_API_KEY") {
                Some(key) if key.len() < MIN_SECRET_LEN => {
                    bail!("BILLING_VENDOR_API_KEY must be at least {MIN_SECRET_LEN} characters")
                }
                key => key,
            },
        })
    }
}

/// `config/catalog.toml` in the working directory, else the copy in this
/// source tree (so tests and `cargo run` from anywhere find it).
pub fn default_catalog_path() -> PathBuf {
    let local = PathBuf::from("config/catalog.toml");
    if local.exists() {
        local
    } else {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/catalog.toml"
        ))
    }
}

/// `config/cancel-flow.toml` in the working directory, else this source tree's.
pub fn default_cancel_flow_path() -> PathBuf {
    let local = PathBuf::from("config/cancel-flow.toml");
    if local.exists() {
        local
    } else {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/cancel-flow.toml"
        ))
    }
}

/// `config/seller.toml` in the working directory, else this source tree's.
pub fn default_seller_path() -> PathBuf {
    let local = PathBuf::from("config/seller.toml");
    if local.exists() {
        local
    } else {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/seller.toml"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn a_webhook_needs_both_an_http_url_and_a_long_enough_secret() {
        assert_eq!(WebhookConfig::from_env(&env(&[])).unwrap(), None);
        let ok = WebhookConfig::from_env(&env(&[
            ("BILLING_WEBHOOK_URL", "https://hooks.example/billing"),
            ("BILLING_WEBHOOK_SECRET", "0123456789abcdef"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(ok.url, "https://hooks.example/billing");
        assert!(
            !format!("{ok:?}").contains("0123456789abcdef"),
            "the secret stays out of logs"
        );
        for bad in [
            vec![("BILLING_WEBHOOK_URL", "https://hooks.example")],
            vec![("BILLING_WEBHOOK_SECRET", "0123456789abcdef")],
            vec![
                ("BILLING_WEBHOOK_URL", "ftp://hooks.example"),
                ("BILLING_WEBHOOK_SECRET", "0123456789abcdef"),
            ],
            vec![
                ("BILLING_WEBHOOK_URL", "https://hooks.example"),
                ("BILLING_WEBHOOK_SECRET", "short"),
            ],
        ] {
            assert!(WebhookConfig::from_env(&env(&bad)).is_err(), "{bad:?}");
        }
    }
}
