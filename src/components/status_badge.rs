//! The subscription's state as a coloured badge ("Active", "Past due").

use billing_domain::SubscriptionStatus;
use leptos::prelude::*;

/// A badge for `status`, coloured by its meaning: green when in good
/// standing, red when unpaid, amber when ending, neutral when on hold.
#[component]
pub fn StatusBadge(
    /// The subscription's state.
    status: SubscriptionStatus,
) -> impl IntoView {
    view! {
        <span class=format!("badge badge--{}", status.as_str())>
            <span class="badge__dot" aria-hidden="true"></span>
            {status.label()}
        </span>
    }
}
