//! The account's credit balance.

use crate::components::card::Card;
use crate::components::money_amount::MoneyAmount;
use billing_domain::Money;
use leptos::prelude::*;

/// Credit waiting to be applied to later invoices.
#[component]
pub fn CreditBalanceCard(
    /// The credit balance.
    balance: Money,
) -> impl IntoView {
    view! {
        <Card title="Credit balance" heading_id="credit-balance-heading">
            <p class="figure">
                <MoneyAmount money=balance class="money--large" />
            </p>
            <p class="muted">"Applied automatically to your next invoices."</p>
        </Card>
    }
}
