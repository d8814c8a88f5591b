//! An invoice's state as a coloured badge ("Paid", "Open").

use billing_domain::invoice::InvoiceStatus;
use leptos::prelude::*;

/// A badge for an invoice's `status`: green when paid, amber while open,
/// red when given up on, grey when void.
#[component]
pub fn InvoiceStatusBadge(
    /// The invoice's state.
    status: InvoiceStatus,
) -> impl IntoView {
    view! {
        <span class=format!("badge badge--invoice-{}", status.as_str())>
            <span class="badge__dot" aria-hidden="true"></span>
            {status.label()}
        </span>
    }
}
