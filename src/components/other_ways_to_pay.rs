//! How to pay other than by card: wire transfer and ACH, arranged by e-mail
//! with the billing team (SPEC §3).

use crate::components::card::Card;
use leptos::prelude::*;

/// The billing team's address.
const BILLING_EMAIL: &str = "billing@example.com";

/// "Other ways to pay", with a `mailto:` link to the billing team.
#[component]
pub fn OtherWaysToPay() -> impl IntoView {
    view! {
        <Card title="Other ways to pay" heading_id="other-ways-heading">
            <p>
                "Wire transfer and ACH are arranged with our billing team. Email "
                <a href=format!("mailto:{BILLING_EMAIL}")>{BILLING_EMAIL}</a>
                " and we'll send you the details."
            </p>
        </Card>
    }
}
