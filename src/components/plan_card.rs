//! The current plan: name, billing interval, state, add-ons and period.

use crate::components::card::Card;
use crate::components::status_badge::StatusBadge;
use crate::format;
use crate::state::catalog::Catalog;
use crate::state::session::use_session;
use billing_domain::wire::BillingOverview;
use billing_domain::Permission;
use leptos::prelude::*;

/// The plan the account is on, as the overview reports it, with the way
/// to Manage subscription ("Change plan or seats" for those who may).
#[component]
pub fn PlanCard(
    /// The billing overview.
    overview: BillingOverview,
    /// The catalog, for the add-ons' names.
    catalog: Catalog,
) -> impl IntoView {
    let session = use_session();
    let can_manage = move || session.with(|s| s.can(Permission::BillingManage));
    let add_ons = (!overview.add_ons.is_empty()).then(|| {
        view! {
            <div class="plan__add-ons">
                <h3 class="label">"Add-ons"</h3>
                <ul class="tag-list">
                    {overview
                        .add_ons
                        .iter()
                        .map(|id| view! { <li class="tag">{catalog.add_on_name(*id).to_string()}</li> })
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
            {move || {
                if can_manage() {
                    view! {
                        <a class="button button--secondary button--small card__action" href="/billing/subscription">
                            "Change plan or seats"
                        </a>
                    }
                        .into_any()
                } else {
                    view! {
                        <a class="card__link" href="/billing/subscription">
                            "View subscription details"
                        </a>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}
