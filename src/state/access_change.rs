//! Whether the user's rights changed while a page was open: an API call
//! answered 403 although the session said the user could make it. The
//! owner may change a member's billing access at any moment, and it takes
//! effect on the member's very next request, so a page must expect it.
//!
//! [`AccessWatch`] re-reads the session on every 403 (so the navigation and
//! the page follow the new rights) and marks the page's [`AccessChange`], if
//! it provided one, so the page can say what happened instead of just
//! changing under the user.

use crate::api::ApiError;
use crate::state::session::{refresh_session, use_session, SessionContext};
use leptos::prelude::*;

/// The access-change context: set once a 403 arrived on this page.
///
/// A newtype rather than a bare `RwSignal<bool>`, whose type would clash
/// with any other boolean context.
#[derive(Debug, Clone, Copy)]
pub struct AccessChange(RwSignal<bool>);

impl AccessChange {
    /// Whether the user's access changed while the page was open.
    pub fn changed(&self) -> bool {
        self.0.get()
    }
}

/// Creates the access-change context for a page and its components.
pub fn provide_access_change() -> AccessChange {
    let change = AccessChange(RwSignal::new(false));
    provide_context(change);
    change
}

/// The page's access-change context, if the page provided one.
pub fn use_access_change() -> Option<AccessChange> {
    use_context::<AccessChange>()
}

/// Reacts to 403s: refreshes the session and marks the page's access change.
/// Made while a component is set up (contexts are not reachable from the
/// callbacks of finished requests); it is `Copy`, so handlers can keep it.
#[derive(Debug, Clone, Copy)]
pub struct AccessWatch {
    session: SessionContext,
    change: Option<AccessChange>,
}

impl AccessWatch {
    /// Whether `error` is a 403; if so, the session is read again and the
    /// page is told its user's access changed.
    pub fn is_forbidden(&self, error: &ApiError) -> bool {
        if !error.is_forbidden() {
            return false;
        }
        if let Some(AccessChange(changed)) = self.change {
            // The page may be gone by the time a request answers.
            let _ = changed.try_set(true);
        }
        refresh_session(self.session);
        true
    }

    /// Checks an answer with [`AccessWatch::is_forbidden`].
    pub fn check<T>(&self, answer: &Result<T, ApiError>) {
        if let Err(e) = answer {
            self.is_forbidden(e);
        }
    }

    /// Checks every answer `resource` gets.
    pub fn resource<T: 'static>(self, resource: LocalResource<Result<T, ApiError>>) {
        Effect::new(move |_| {
            let forbidden =
                resource.with(|answer| matches!(answer, Some(Err(e)) if e.is_forbidden()));
            if forbidden {
                if let Some(AccessChange(changed)) = self.change {
                    changed.set(true);
                }
                refresh_session(self.session);
            }
        });
    }
}

/// An [`AccessWatch`] for the calling component.
pub fn use_access_watch() -> AccessWatch {
    AccessWatch {
        session: use_session(),
        change: use_access_change(),
    }
}
