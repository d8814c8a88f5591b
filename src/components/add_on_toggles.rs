//! The add-ons the catalog sells, each a checkbox with what it does and its
//! monthly price.

use crate::format;
use crate::state::catalog::Catalog;
use billing_domain::AddOnId;
use leptos::prelude::*;

/// The add-on checkboxes (legend "Add-ons").
#[component]
pub fn AddOnToggles(
    /// The catalog: the add-ons, their descriptions and prices.
    catalog: Catalog,
    /// The add-ons chosen so far.
    #[prop(into)]
    selected: Signal<Vec<AddOnId>>,
    /// The add-ons the account has now.
    current: Vec<AddOnId>,
    /// Called with an add-on and whether it is now chosen.
    on_toggle: Callback<(AddOnId, bool)>,
    /// The API's message about the add-ons, if it refused them.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let options = catalog
        .add_ons
        .iter()
        .map(|offered| {
            let add_on = offered.id;
            let id = format!("add-on-{}", add_on.as_str());
            let hint_id = format!("{id}-hint");
            let price_id = format!("{id}-price");
            let checked = move || selected.with(|list| list.contains(&add_on));
            view! {
                <div class="option option--check" class:option--selected=checked>
                    <input
                        id=id.clone()
                        class="option__input"
                        type="checkbox"
                        name="add_ons"
                        value=add_on.as_str()
                        prop:checked=checked
                        aria-describedby=format!("{hint_id} {price_id}")
                        on:change=move |ev| on_toggle.run((add_on, event_target_checked(&ev)))
                    />
                    <span class="option__body">
                        <label class="option__title" for=id>
                            {offered.name.clone()}
                        </label>
                        <span class="option__hint" id=hint_id>
                            {offered.description.clone()}
                        </span>
                        <span class="option__price" id=price_id>
                            {format::per_month(offered.monthly_price)}
                        </span>
                    </span>
                    {current
                        .contains(&add_on)
                        .then(|| view! { <span class="tag tag--current">"Current"</span> })}
                </div>
            }
        })
        .collect_view();

    view! {
        <fieldset
            class="option-group"
            aria-describedby=move || error.get().map(|_| "add-ons-error")
        >
            <legend class="option-group__legend">"Add-ons"</legend>
            <p class="field__hint">
                "A flat monthly price each, whatever the number of seats. Added ones are charged now for the rest of the period; removed ones are credited."
            </p>
            <div class="option-list">{options}</div>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field__error" id="add-ons-error">
                                {message}
                            </p>
                        }
                    })
            }}
        </fieldset>
    }
}
