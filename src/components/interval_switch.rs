//! The billing interval: Monthly or Annual, with the annual saving the
//! live previews showed. Which intervals a plan is sold at comes from the
//! catalog.

use crate::format;
use billing_domain::Interval;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// What switching from monthly to annual billing does.
const YEARLY_NOTE: &str =
    "Annual billing starts a new yearly period today; the unused part of this month is credited.";

/// The interval radio group (legend "Billing interval").
#[component]
pub fn IntervalSwitch(
    /// The interval chosen so far.
    #[prop(into)]
    selected: Signal<Interval>,
    /// The interval the account is billed on now.
    billed: Interval,
    /// When the current period ends (an annual contract switches to
    /// monthly only then).
    period_end: DateTime<Utc>,
    /// The intervals the chosen plan is sold at (from the catalog); the
    /// others are disabled, and a note says why.
    #[prop(into)]
    sold: Signal<Vec<Interval>>,
    /// The chosen plan's name, for that note.
    #[prop(into)]
    plan_name: Signal<String>,
    /// How much annual billing saves, in whole percent, once known.
    #[prop(into)]
    saving: Signal<Option<u32>>,
    /// Called with the interval the user picks.
    on_select: Callback<Interval>,
    /// The API's message about the interval, if it refused one.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let option = move |interval: Interval, hint: &'static str| {
        let id = format!("interval-{}", interval.as_str());
        let title_id = format!("{id}-title");
        let hint_id = format!("{id}-hint");
        let disabled = move || sold.with(|sold| !sold.contains(&interval));
        view! {
            <label
                class="option"
                class:option--selected=move || selected.get() == interval
                class:option--disabled=disabled
            >
                <input
                    id=id
                    class="option__input"
                    type="radio"
                    name="interval"
                    value=interval.as_str()
                    prop:checked=move || selected.get() == interval
                    disabled=disabled
                    aria-labelledby=title_id.clone()
                    aria-describedby=hint_id.clone()
                    on:change=move |_| on_select.run(interval)
                />
                <span class="option__body">
                    <span class="option__title" id=title_id>
                        {interval.label()}
                    </span>
                    <span class="option__hint" id=hint_id>
                        {hint}
                    </span>
                </span>
                {(interval == billed).then(|| view! { <span class="tag tag--current">"Current"</span> })}
                {(interval == Interval::Year)
                    .then_some({
                        move || {
                            saving
                                .get()
                                .filter(|percent| *percent > 0)
                                .map(|percent| {
                                    view! {
                                        <span class="tag tag--saving">
                                            {format!("Save about {percent}%")}
                                        </span>
                                    }
                                })
                        }
                    })}
            </label>
        }
    };

    // A plan sold at one interval only says so; otherwise a switch says
    // when it takes effect.
    let note = move || {
        let only = sold.with(|sold| match sold.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
        if let Some(interval) = only {
            return Some(format!(
                "{} is sold with {} billing only.",
                plan_name.get(),
                interval.label().to_lowercase()
            ));
        }
        match (billed, selected.get()) {
            (Interval::Month, Interval::Year) => Some(YEARLY_NOTE.to_string()),
            (Interval::Year, Interval::Month) => Some(format!(
                "Monthly billing starts when your annual contract ends on {}.",
                format::date(period_end)
            )),
            _ => None,
        }
    };

    view! {
        <fieldset
            class="option-group"
            aria-describedby=move || error.get().map(|_| "interval-error")
        >
            <legend class="option-group__legend">"Billing interval"</legend>
            <div class="option-list option-list--two">
                {option(Interval::Month, "Billed every month")}
                {option(Interval::Year, "Billed once a year")}
            </div>
            {move || note().map(|text| view! { <p class="field__hint">{text}</p> })}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field__error" id="interval-error">
                                {message}
                            </p>
                        }
                    })
            }}
        </fieldset>
    }
}
