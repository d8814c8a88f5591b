//! The end of a cancel run that cancelled: "Your subscription is scheduled
//! to cancel", on which date, and that a confirmation e-mail was sent. Read
//! from the overview, so it says the same after a reload.

use crate::api;
use crate::components::loading_region::LoadingRegion;
use crate::format;
use crate::pages::cancel_page::CancelResultFrame;
use billing_domain::wire::BillingOverview;
use billing_domain::SubscriptionStatus;
use leptos::prelude::*;

/// `/billing/cancel/:session/done`.
#[component]
pub fn CancelDonePage() -> impl IntoView {
    let overview = LocalResource::new(api::billing_overview);
    view! {
        <LoadingRegion
            label="Loading…"
            error_title="We couldn't load your subscription"
            on_retry=Callback::new(move |_| overview.refetch())
        >
            {move || Suspend::new(async move {
                overview.await.map(|overview| view! { <CancelDone overview /> })
            })}
        </LoadingRegion>
    }
}

#[component]
fn CancelDone(overview: BillingOverview) -> impl IntoView {
    match overview.status {
        SubscriptionStatus::CancelScheduled => {
            let ends = format::date(overview.cancel_at.unwrap_or(overview.current_period_end));
            view! {
                <CancelResultFrame heading="Your subscription is scheduled to cancel">
                    <p class="wizard__result-fact" role="status">
                        {format!("Your subscription ends on {ends}.")}
                    </p>
                    <p>
                        "Until then everything keeps working and nothing more is charged. We've sent a confirmation e-mail to your billing contact."
                    </p>
                    <p class="muted">
                        {format!(
                            "Changed your mind? Press Resume subscription on Plans & Billing any time before {ends}.",
                        )}
                    </p>
                </CancelResultFrame>
            }
            .into_any()
        }
        SubscriptionStatus::Canceled => {
            let kept = overview
                .data_deleted_at
                .map(|at| {
                    format!(
                        " Your data is kept until {}; until then you can reactivate with a card.",
                        format::date(at)
                    )
                })
                .unwrap_or_default();
            view! {
                <CancelResultFrame heading="Your subscription has ended">
                    <p class="wizard__result-fact" role="status">
                        {format!("Your subscription was cancelled.{kept}")}
                    </p>
                    <p>"We've sent a confirmation e-mail to your billing contact."</p>
                </CancelResultFrame>
            }
            .into_any()
        }
        _ => view! {
            <CancelResultFrame heading="Your subscription continues">
                <p class="wizard__result-fact" role="status">
                    "Your subscription isn't scheduled to cancel."
                </p>
            </CancelResultFrame>
        }
        .into_any(),
    }
}
