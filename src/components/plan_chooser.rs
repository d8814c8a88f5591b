//! The plan chooser: Essentials, Business and Premium as a radio group.
//! Prices are not written here; the live preview beside it says what the
//! chosen plan costs, as the API computes it.

use crate::format;
use billing_domain::PlanId;
use leptos::prelude::*;

/// One line under each plan's name: how it is sold.
fn sold_as(plan: PlanId) -> &'static str {
    match plan {
        // The catalog sells Premium only as an annual contract (SPEC §2).
        PlanId::Premium => "Annual contract",
        _ => "Monthly or annual billing",
    }
}

/// The plan radio group (legend "Plan").
#[component]
pub fn PlanChooser(
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
    let options = PlanId::ALL
        .into_iter()
        .map(|plan| {
            let id = format!("plan-{}", plan.as_str());
            let title_id = format!("{id}-title");
            let hint_id = format!("{id}-hint");
            let disabled = locked && plan != current;
            view! {
                <label
                    class="option"
                    class:option--selected=move || selected.get() == plan
                    class:option--disabled=disabled
                >
                    <input
                        id=id
                        class="option__input"
                        type="radio"
                        name="plan"
                        value=plan.as_str()
                        prop:checked=move || selected.get() == plan
                        disabled=disabled
                        aria-labelledby=title_id.clone()
                        aria-describedby=hint_id.clone()
                        on:change=move |_| on_select.run(plan)
                    />
                    <span class="option__body">
                        <span class="option__title" id=title_id>
                            {format::plan_name(plan)}
                        </span>
                        <span class="option__hint" id=hint_id>
                            {sold_as(plan)}
                        </span>
                    </span>
                    {(plan == current).then(|| view! { <span class="tag tag--current">"Current"</span> })}
                </label>
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
            <div class="option-list option-list--three">{options}</div>
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
