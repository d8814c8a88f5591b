//! Who is signed in, and what they may do: the session every page reads its
//! permissions from. Permissions mirror what the API enforces; they only
//! decide what to show.

use crate::api::{self, ApiError};
use billing_domain::wire::SessionInfo;
use billing_domain::Permission;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Where the session stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// `GET /api/session` has not answered yet.
    Checking,
    /// Signed in, with the user's account, role and permissions.
    SignedIn(SessionInfo),
    /// No session. `by_user` is true when the user pressed "Sign out", so
    /// there is nowhere to come back to after signing in again.
    SignedOut {
        /// The user signed out themselves (rather than never being signed
        /// in, or the session ending).
        by_user: bool,
    },
    /// The session could not be checked (network or server failure).
    Unavailable(ApiError),
}

impl SessionState {
    /// The signed-in user's session, if any.
    pub fn info(&self) -> Option<&SessionInfo> {
        match self {
            SessionState::SignedIn(info) => Some(info),
            _ => None,
        }
    }

    /// Whether someone is signed in.
    pub fn is_signed_in(&self) -> bool {
        self.info().is_some()
    }

    /// Whether the signed-in user holds `permission`; never when signed out.
    pub fn can(&self, permission: Permission) -> bool {
        self.info().is_some_and(|info| info.can(permission))
    }
}

/// The session context.
pub type SessionContext = RwSignal<SessionState>;

/// Creates the session context, starts checking `GET /api/session`, and
/// signs the app out whenever an API call answers 401.
pub fn provide_session() -> SessionContext {
    let session = RwSignal::new(SessionState::Checking);
    provide_context(session);
    api::on_unauthorized(move || {
        set_session(session, SessionState::SignedOut { by_user: false });
    });
    refresh_session(session);
    session
}

/// The session context provided by [`provide_session`].
pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}

/// Asks the API again who is signed in (after a role or grant change, or to
/// retry a failed check).
pub fn refresh_session(session: SessionContext) {
    spawn_local(async move {
        let state = match api::current_session().await {
            Ok(info) => SessionState::SignedIn(info),
            Err(e) if e.is_unauthorized() => SessionState::SignedOut { by_user: false },
            Err(e) => SessionState::Unavailable(e),
        };
        set_session(session, state);
    });
}

/// Sets the session, notifying readers only when it actually changed, so a
/// repeated answer does not re-render the pages.
pub fn set_session(session: SessionContext, state: SessionState) {
    if session.with_untracked(|current| *current != state) {
        session.set(state);
    }
}

/// Re-reads the session whenever `resource` answers 403: the user's rights
/// changed since the session was read, and the navigation and every page
/// should agree with the API again.
pub fn refresh_session_on_forbidden<T: 'static>(resource: LocalResource<Result<T, ApiError>>) {
    let session = use_session();
    Effect::new(move |_| {
        let forbidden = resource.with(|answer| matches!(answer, Some(Err(e)) if e.is_forbidden()));
        if forbidden {
            refresh_session(session);
        }
    });
}
