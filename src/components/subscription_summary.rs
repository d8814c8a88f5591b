//! The subscription as it stands, read-only: for billing members, who may
//! look but not change it.

use crate::components::card::Card;
use crate::components::change_preview::pending_sentences;
use crate::components::money_amount::MoneyAmount;
use crate::format;
use crate::state::catalog::Catalog;
use billing_domain::wire::BillingOverview;
use leptos::prelude::*;

/// Plan, interval, seats, add-ons, pending changes and the next renewal,
/// with the note on who can change them.
#[component]
pub fn SubscriptionSummary(
    /// The billing overview.
    overview: BillingOverview,
    /// The catalog, for the add-ons' names.
    catalog: Catalog,
) -> impl IntoView {
    let add_ons = if overview.add_ons.is_empty() {
        "None".to_string()
    } else {
        overview
            .add_ons
            .iter()
            .map(|a| catalog.add_on_name(*a))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pending = overview
        .pending_effective_at
        .map(|at| pending_sentences(&overview.pending, at))
        .unwrap_or_default();
    let renewal = overview.next_charge_date.map(|date| {
        view! {
            <div class="facts__row">
                <dt>{format!("Next renewal on {}", format::date(date))}</dt>
                <dd>
                    <MoneyAmount money=overview.next_charge />
                </dd>
            </div>
        }
    });
    view! {
        <Card title="Your subscription" heading_id="subscription-summary-heading">
            <dl class="facts facts--plain">
                <div class="facts__row">
                    <dt>"Plan"</dt>
                    <dd>{overview.plan_name.clone()}</dd>
                </div>
                <div class="facts__row">
                    <dt>"Billing interval"</dt>
                    <dd>{overview.interval.label()}</dd>
                </div>
                <div class="facts__row">
                    <dt>"Seats"</dt>
                    <dd>
                        {format!(
                            "{} ({} in use)",
                            format::seats(overview.seats.purchased),
                            overview.seats.used,
                        )}
                    </dd>
                </div>
                <div class="facts__row">
                    <dt>"Add-ons"</dt>
                    <dd>{add_ons}</dd>
                </div>
                <div class="facts__row">
                    <dt>"Current period"</dt>
                    <dd>
                        {format::period(overview.current_period_start, overview.current_period_end)}
                    </dd>
                </div>
                {renewal}
            </dl>
            {(!pending.is_empty())
                .then(|| {
                    view! {
                        <ul class="preview-pending" aria-label="At your next renewal">
                            {pending.into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
                        </ul>
                    }
                })}
            <p class="read-only-note">
                "Only the account owner, admins and members with manage access can change the subscription."
            </p>
        </Card>
    }
}
