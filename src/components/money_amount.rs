//! An amount of money as people read it ("$1,668.00").

use billing_domain::Money;
use leptos::prelude::*;

/// Shows `money` formatted by the domain's `Money::format`, the only place
/// amounts become text.
#[component]
pub fn MoneyAmount(
    /// The amount to show.
    money: Money,
    /// Extra classes, e.g. `money--large`.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let negative = money.amount() < 0;
    view! {
        <span class=format!("money {class}") class:money--negative=negative>
            {money.format()}
        </span>
    }
}
