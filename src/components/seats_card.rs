//! Seats used of seats purchased, with a meter.

use crate::components::card::Card;
use crate::format;
use billing_domain::wire::Seats;
use leptos::prelude::*;

/// "9 of 12 seats used" and a bar showing how full the account is.
#[component]
pub fn SeatsCard(
    /// Seats bought and seats taken by active users.
    seats: Seats,
) -> impl IntoView {
    let Seats { purchased, used } = seats;
    let summary = format!("{used} of {} used", format::seats(purchased));
    let percent = if purchased == 0 {
        100
    } else {
        (u64::from(used) * 100 / u64::from(purchased)).min(100)
    };
    let full = used >= purchased;
    view! {
        <Card title="Seats" heading_id="seats-heading">
            <p class="figure figure--text">{summary.clone()}</p>
            <div
                class="meter"
                class:meter--full=full
                role="meter"
                aria-label="Seats used"
                aria-valuemin="0"
                aria-valuemax=purchased.to_string()
                aria-valuenow=used.to_string()
                aria-valuetext=summary
            >
                <span class="meter__fill" style:width=format!("{percent}%")></span>
            </div>
            <p class="muted">
                {if full {
                    "Every seat is taken. New users need a new seat.".to_string()
                } else {
                    format!("{} available", format::seats(purchased - used))
                }}
            </p>
        </Card>
    }
}
