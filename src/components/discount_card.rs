//! A retention discount on the coming renewals.

use crate::components::card::Card;
use leptos::prelude::*;

/// "25% off your next 2 months"; nothing without a discount.
#[component]
pub fn DiscountCard(
    /// The discount still to come, from the overview.
    discount: Option<billing_domain::renewal::Discount>,
) -> impl IntoView {
    let text = discount.and_then(|d| discount_text(d.percent, d.months_left));
    text.map(|text| {
        view! {
            <Card title="Discount" heading_id="discount-heading">
                <p class="figure figure--text">{text}</p>
                <p class="muted">"Taken off automatically when your subscription renews; on yearly billing, as that share of the year."</p>
            </Card>
        }
    })
}

/// "25% off your next month" / "25% off your next 2 months".
fn discount_text(percent: u32, months: u32) -> Option<String> {
    match months {
        0 => None,
        1 => Some(format!("{percent}% off your next month")),
        n => Some(format!("{percent}% off your next {n} months")),
    }
}

#[cfg(test)]
mod tests {
    use super::discount_text;

    #[test]
    fn the_discount_reads_as_a_sentence() {
        assert_eq!(
            discount_text(25, 2).as_deref(),
            Some("25% off your next 2 months")
        );
        assert_eq!(
            discount_text(10, 1).as_deref(),
            Some("10% off your next month")
        );
        assert_eq!(discount_text(10, 0), None);
    }
}
