//! The next renewal charge: amount and date.

use crate::components::card::Card;
use crate::components::money_amount::MoneyAmount;
use crate::format;
use billing_domain::wire::BillingOverview;
use leptos::prelude::*;

/// What the next renewal will charge and when, or that nothing renews.
#[component]
pub fn NextChargeCard(
    /// The billing overview.
    overview: BillingOverview,
) -> impl IntoView {
    let body = match overview.next_charge_date {
        Some(date) => view! {
            <p class="figure">
                <MoneyAmount money=overview.next_charge class="money--large" />
            </p>
            <p class="muted">{format!("on {}", format::date(date))}</p>
        }
        .into_any(),
        None => view! { <p class="empty-state">"No upcoming charge"</p> }.into_any(),
    };
    view! {
        <Card title="Next charge" heading_id="next-charge-heading">
            {body}
        </Card>
    }
}
