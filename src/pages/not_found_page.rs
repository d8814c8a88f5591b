//! The page for any address the app does not know.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;

/// Any unknown path.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <PageTitle text="Page not found" />
        <main id="main" class="centered-page">
            <div class="card card--narrow centered-page__card">
                <p class="brand brand--centered">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">"Billing portal"</span>
                </p>
                <h1 class="page__title">"Page not found"</h1>
                <p class="muted">"The page you were looking for doesn't exist or has moved."</p>
                <a class="button button--primary" href="/billing">
                    "Go to Plans & Billing"
                </a>
            </div>
        </main>
    }
}
