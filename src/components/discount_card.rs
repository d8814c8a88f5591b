//! A retention discount on the coming renewals.

use crate::components::card::Card;
use leptos::prelude::*;

/// "25% off your next 2 renewals"; nothing without a discount.
#[component]
pub fn DiscountCard(
    /// Percent off each renewal.
    percent: Option<u32>,
    /// How many more renewals get it.
    renewals: Option<u32>,
) -> impl IntoView {
    let text = percent
        .zip(renewals)
        .and_then(|(percent, renewals)| discount_text(percent, renewals));
    text.map(|text| {
        view! {
            <Card title="Discount" heading_id="discount-heading">
                <p class="figure figure--text">{text}</p>
                <p class="muted">"Taken off automatically when your subscription renews."</p>
            </Card>
        }
    })
}

/// "25% off your next renewal" / "25% off your next 2 renewals".
fn discount_text(percent: u32, renewals: u32) -> Option<String> {
    match renewals {
        0 => None,
        1 => Some(format!("{percent}% off your next renewal")),
        n => Some(format!("{percent}% off your next {n} renewals")),
    }
}

#[cfg(test)]
mod tests {
    use super::discount_text;

    #[test]
    fn the_discount_reads_as_a_sentence() {
        assert_eq!(
            discount_text(25, 2).as_deref(),
            Some("25% off your next 2 renewals")
        );
        assert_eq!(
            discount_text(10, 1).as_deref(),
            Some("10% off your next renewal")
        );
        assert_eq!(discount_text(10, 0), None);
    }
}
