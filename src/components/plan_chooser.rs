//! The plan chooser: the catalog's plans as a radio group, each with how
//! it is sold and its lowest per-seat price. A contract plan is no
//! self-serve purchase (SPEC §2): unless the account is on it already, it
//! is a card with "Talk to us", pointing to Customer Success, not a radio.
//! What a change costs is not computed here; the live preview beside the
//! chooser says it, as the API computes it.

use crate::format;
use crate::state::catalog::Catalog;
use billing_domain::wire::CatalogPlan;
use billing_domain::{Interval, PlanId};
use leptos::prelude::*;

/// How a plan is sold, under its name: "Monthly or annual billing · from
/// $79 per seat / month".
pub fn sold_as(plan: &CatalogPlan) -> String {
    let intervals: Vec<Interval> = plan.intervals().collect();
    let how = match intervals.as_slice() {
        [Interval::Year] if !plan.self_serve => "Annual contract".to_string(),
        [only] => format!("{} billing only", only.label()),
        _ => "Monthly or annual billing".to_string(),
    };
    match plan.lowest_seat_price_per_month() {
        Some(price) => format!(
            "{how} · from {} per seat / month",
            format::short_price(price)
        ),
        None => how,
    }
}

/// Where "Talk to us" leads: an e-mail to Customer Success about the plan.
pub fn talk_to_us_href(email: &str, plan_name: &str) -> String {
    let subject = encode_subject(&format!("{plan_name} plan"));
    format!("mailto:{email}?subject={subject}")
}

/// Percent-encodes the few characters a plan name may hold, so the mailto
/// link is valid without reaching for the browser (this runs in unit tests).
fn encode_subject(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '~' => c.to_string(),
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

/// The plan radio group (legend "Plan").
#[component]
pub fn PlanChooser(
    /// The catalog: which plans there are, how each is sold, at what price.
    catalog: Catalog,
    /// The plan chosen so far.
    #[prop(into)]
    selected: Signal<PlanId>,
    /// The plan the account is on.
    current: PlanId,
    /// Whether the current plan is a contract plan, which only Customer
    /// Success changes: the other plans are then disabled.
    locked: bool,
    /// Called with the plan the user picks.
    on_select: Callback<PlanId>,
    /// The API's message about the plan, if it refused one.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let columns = if catalog.plans.len() == 3 {
        "option-list option-list--three"
    } else {
        "option-list option-list--two"
    };
    let options = catalog
        .plans
        .iter()
        .map(|plan| {
            if plan.self_serve || plan.id == current {
                view! { <PlanOption plan=plan.clone() selected current locked on_select /> }
                    .into_any()
            } else {
                view! {
                    <ContractPlanCard
                        plan=plan.clone()
                        email=catalog.customer_success_email.clone()
                    />
                }
                .into_any()
            }
        })
        .collect_view();

    view! {
        <fieldset
            class="option-group"
            aria-describedby=move || error.get().map(|_| "plan-error")
        >
            <legend class="option-group__legend">"Plan"</legend>
            {locked
                .then(|| {
                    view! {
                        <p class="read-only-note">
                            "Contract plans are changed through your Customer Success Manager."
                        </p>
                    }
                })}
            <div class=columns>{options}</div>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field__error" id="plan-error">
                                {message}
                            </p>
                        }
                    })
            }}
        </fieldset>
    }
}

/// A plan the user can pick: a radio with the plan's name and how it is sold.
#[component]
fn PlanOption(
    plan: CatalogPlan,
    selected: Signal<PlanId>,
    current: PlanId,
    locked: bool,
    on_select: Callback<PlanId>,
) -> impl IntoView {
    let id = plan.id;
    let dom_id = format!("plan-{}", id.as_str());
    let title_id = format!("{dom_id}-title");
    let hint_id = format!("{dom_id}-hint");
    let disabled = locked && id != current;
    view! {
        <label
            class="option"
            class:option--selected=move || selected.get() == id
            class:option--disabled=disabled
        >
            <input
                id=dom_id
                class="option__input"
                type="radio"
                name="plan"
                value=id.as_str()
                prop:checked=move || selected.get() == id
                disabled=disabled
                aria-labelledby=title_id.clone()
                aria-describedby=hint_id.clone()
                on:change=move |_| on_select.run(id)
            />
            <span class="option__body">
                <span class="option__title" id=title_id>
                    {plan.name.clone()}
                </span>
                <span class="option__hint" id=hint_id>
                    {sold_as(&plan)}
                </span>
            </span>
            {(id == current).then(|| view! { <span class="tag tag--current">"Current"</span> })}
        </label>
    }
}

/// A contract plan the account is not on: bought through Customer Success,
/// so a card with "Talk to us" rather than a radio that would pretend it
/// can be bought here.
#[component]
fn ContractPlanCard(plan: CatalogPlan, email: String) -> impl IntoView {
    let dom_id = format!("plan-{}", plan.id.as_str());
    let title_id = format!("{dom_id}-title");
    let hint_id = format!("{dom_id}-hint");
    let href = talk_to_us_href(&email, &plan.name);
    view! {
        <div class="option option--contract" role="group" aria-labelledby=title_id.clone()>
            <span class="option__body">
                <span class="option__title" id=title_id.clone()>
                    {plan.name.clone()}
                </span>
                <span class="option__hint" id=hint_id.clone()>
                    {sold_as(&plan)}
                </span>
                <span class="option__hint">
                    "Set up with your Customer Success Manager."
                </span>
            </span>
            <a class="button button--secondary button--small option__action" href=href aria-describedby=hint_id>
                "Talk to us"
                <span class="visually-hidden">{format!(" about {}", plan.name)}</span>
            </a>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::catalog::testing::demo_catalog;

    #[test]
    fn each_plan_says_how_it_is_sold_and_from_what_price() {
        let catalog = demo_catalog();
        let sold = |id| sold_as(catalog.plan(id).unwrap());
        assert_eq!(
            sold(PlanId::Essentials),
            "Monthly or annual billing · from $79 per seat / month"
        );
        assert_eq!(
            sold(PlanId::Business),
            "Monthly or annual billing · from $119 per seat / month"
        );
        assert_eq!(
            sold(PlanId::Premium),
            "Annual contract · from $239 per seat / month"
        );
    }

    #[test]
    fn talk_to_us_writes_to_customer_success_about_the_plan() {
        assert_eq!(
            talk_to_us_href("success@example.com", "Premium"),
            "mailto:success@example.com?subject=Premium%20plan"
        );
    }
}
