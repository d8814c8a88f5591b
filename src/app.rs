//! The one route table, and the frame every signed-in page shares.

use crate::components::app_layout::AppLayout;
use crate::pages::billing_page::BillingPage;
use crate::pages::not_found_page::NotFoundPage;
use crate::pages::sign_in_page::SignInPage;
use crate::state::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, NavigateOptions};

/// The whole app: session context and routes. Pages inside `AppLayout`
/// require a session; the server answers every unknown path with
/// `index.html`, so each route survives a reload.
#[component]
pub fn App() -> impl IntoView {
    provide_session();

    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/sign-in") view=SignInPage />
                <Route path=path!("/") view=HomeRedirect />
                <ParentRoute path=path!("") view=AppLayout>
                    <Route path=path!("/billing") view=BillingPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// `/` is Plans & Billing; replaced in history so "Back" skips it.
#[component]
fn HomeRedirect() -> impl IntoView {
    view! {
        <Redirect
            path="/billing"
            options=NavigateOptions {
                replace: true,
                ..Default::default()
            }
        />
    }
}
