//! The current plan: name, billing interval, state, add-ons and period.

use crate::components::card::Card;
use crate::components::status_badge::StatusBadge;
use crate::format;
use billing_domain::wire::BillingOverview;
use leptos::prelude::*;

/// The plan the account is on, as the overview reports it.
#[component]
pub fn PlanCard(
    /// The billing overview.
    overview: BillingOverview,
) -> impl IntoView {
    let add_ons = (!overview.add_ons.is_empty()).then(|| {
        view! {
            <div class="plan__add-ons">
                <h3 class="label">"Add-ons"</h3>
                <ul class="tag-list">
                    {overview
                        .add_ons
                        .iter()
                        .map(|id| view! { <li class="tag">{id.label()}</li> })
                        .collect_view()}
                </ul>
            </div>
        }
    });
    view! {
        <Card
            title=overview.plan_name.clone()
            heading_id="plan-heading"
            eyebrow="Current plan"
            class="card--plan"
        >
            <div class="plan__meta">
                <span class="plan__interval">{overview.interval.label()}</span>
                <StatusBadge status=overview.status />
            </div>
            {add_ons}
            <dl class="facts">
                <div class="facts__row">
                    <dt>"Current period"</dt>
                    <dd>
                        {format::period(overview.current_period_start, overview.current_period_end)}
                    </dd>
                </div>
            </dl>
        </Card>
    }
}
