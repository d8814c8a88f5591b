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
    // Only a charge that differs from the list price needs explaining.
    let explained = overview.next_bill.clone().filter(|bill| {
        bill.starts_now
            || !bill.discount.is_zero()
            || !bill.unused_credit.is_zero()
            || !bill.credit_applied.is_zero()
    });
    let breakdown = explained.map(|bill| {
        let mut parts = vec![format!("List price {}", bill.price.format())];
        if !bill.discount.is_zero() {
            parts.push(format!("retention discount −{}", bill.discount.format()));
        }
        if !bill.unused_credit.is_zero() {
            parts.push(format!("unused time −{}", bill.unused_credit.format()));
        }
        if !bill.credit_applied.is_zero() {
            parts.push(format!("credit balance −{}", bill.credit_applied.format()));
        }
        let locked = bill.starts_now.then(|| {
            let voided = if bill.voids.is_empty() {
                String::new()
            } else {
                format!(" {} will be voided.", bill.voids.join(", "))
            };
            format!(
                "Saving a working card starts a new period today, until {}. The time the account was locked is not billed.{voided}",
                format::date(bill.period_end)
            )
        });
        view! {
            <p class="muted">{parts.join(" · ")}</p>
            {locked.map(|text| view! { <p class="muted">{text}</p> })}
        }
    });
    let body = match (overview.next_charge_date, overview.next_bill.is_some()) {
        (Some(date), _) => view! {
            <p class="figure">
                <MoneyAmount money=overview.next_charge class="money--large" />
            </p>
            <p class="muted">{format!("on {}", format::date(date))}</p>
            {breakdown}
        }
        .into_any(),
        (None, true) => view! {
            <p class="figure">
                <MoneyAmount money=overview.next_charge class="money--large" />
            </p>
            {breakdown}
        }
        .into_any(),
        (None, false) => view! { <p class="empty-state">"No upcoming charge"</p> }.into_any(),
    };
    view! {
        <Card title="Next charge" heading_id="next-charge-heading">
            {body}
        </Card>
    }
}
