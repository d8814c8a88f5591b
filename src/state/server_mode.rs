//! Which kind of server the SPA talks to (`GET /api/health`): developer
//! tools such as the dev mailbox exist only on dev and test servers.

use crate::api::{self, ApiError};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the server said about its mode.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMode {
    /// `GET /api/health` has not answered yet.
    Checking,
    /// A production server: no developer tools.
    Production,
    /// A `dev` or `test` server: the dev mailbox is available.
    Development,
    /// The health check failed; developer tools are not offered, but a page
    /// that needs one may still try its own endpoint.
    Unknown(ApiError),
}

impl ServerMode {
    /// Whether links to developer tools should be shown.
    pub fn has_dev_tools(&self) -> bool {
        matches!(self, ServerMode::Development)
    }

    /// The mode named by the health check's `mode` field.
    fn from_mode(mode: &str) -> ServerMode {
        match mode {
            "dev" | "test" => ServerMode::Development,
            _ => ServerMode::Production,
        }
    }
}

/// The server-mode context.
pub type ServerModeContext = RwSignal<ServerMode>;

/// Creates the server-mode context and asks `GET /api/health` once.
pub fn provide_server_mode() -> ServerModeContext {
    let mode = RwSignal::new(ServerMode::Checking);
    provide_context(mode);
    spawn_local(async move {
        let answer = match api::health().await {
            Ok(health) => ServerMode::from_mode(&health.mode),
            Err(e) => ServerMode::Unknown(e),
        };
        mode.set(answer);
    });
    mode
}

/// The server-mode context provided by [`provide_server_mode`].
pub fn use_server_mode() -> ServerModeContext {
    expect_context::<ServerModeContext>()
}
