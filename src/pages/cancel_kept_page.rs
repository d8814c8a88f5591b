//! The end of a cancel run that kept the subscription: an accepted offer, a
//! pause or a meeting request, with the API's sentence about what was done.

use crate::pages::cancel_page::{stored_outcome, CancelResultFrame, Outcome};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/billing/cancel/:session/kept`. The outcome is the one kept in this tab
/// when the run ended; without it (another tab), a general sentence.
#[component]
pub fn CancelKeptPage() -> impl IntoView {
    let params = use_params_map();
    let session_id = params.read_untracked().get("session").unwrap_or_default();
    let Outcome { title, message } = stored_outcome(&session_id).unwrap_or_else(|| Outcome {
        title: "Your subscription continues".into(),
        message: "Nothing was cancelled. Plans & Billing shows your subscription as it is now."
            .into(),
    });
    view! {
        <CancelResultFrame heading=title>
            <p class="page__lead" role="status">
                {message}
            </p>
        </CancelResultFrame>
    }
}
