//! The card on file: brand, last four digits and expiry.

use crate::components::card::Card;
use crate::format;
use billing_domain::wire::{CardBrand, PaymentMethodSummary};
use leptos::prelude::*;

/// The default payment method, or that there is none.
#[component]
pub fn PaymentMethodCard(
    /// The card on file, if any.
    payment_method: Option<PaymentMethodSummary>,
    /// The card's heading.
    #[prop(default = "Payment method")]
    title: &'static str,
    /// More to say below the card, e.g. who may change it.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let body = match payment_method {
        Some(card) => view! {
            <div class="payment-card">
                <span class=format!("card-brand card-brand--{}", card.brand.as_str()) aria-hidden="true">
                    {brand_mark(card.brand)}
                </span>
                <div>
                    <p class="figure figure--text">
                        {format!("{} ending in {}", card.brand.label(), card.last4)}
                    </p>
                    <p class="muted">
                        {format!("Expires {}", format::card_expiry(card.exp_month, card.exp_year))}
                    </p>
                </div>
            </div>
        }
        .into_any(),
        None => view! { <p class="empty-state">"No payment method on file"</p> }.into_any(),
    };
    view! {
        <Card title=title heading_id="payment-method-heading">
            {body}
            {children.map(|children| children())}
        </Card>
    }
}

/// The short mark printed on the small card picture.
fn brand_mark(brand: CardBrand) -> &'static str {
    match brand {
        CardBrand::Visa => "VISA",
        CardBrand::Mastercard => "MC",
        CardBrand::Amex => "AMEX",
        CardBrand::Discover => "DISC",
    }
}
