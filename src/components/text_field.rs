//! A text input (a password, an e-mail address) with its label, an optional
//! hint and the API's message about it, linked for assistive technology.

use leptos::prelude::*;

/// One field. The error, when there is one, is announced with the field
/// (`aria-describedby`) once focus moves to it.
#[component]
pub fn TextField(
    /// The input's id (its hint and error ids derive from it).
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The input's type: `email`, `text`, `password`.
    kind: &'static str,
    /// What the browser may fill in (`username`, `email`, …).
    autocomplete: &'static str,
    /// The typed value.
    value: RwSignal<String>,
    /// The message about this field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// A hint shown under the field, e.g. the length rule.
    #[prop(optional, into)]
    hint: Option<String>,
    /// For moving focus here when the field is at fault.
    #[prop(optional)]
    node_ref: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let hint_shown = hint.is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let ids: Vec<&str> = [
                hint_shown.then_some(hint_id.as_str()),
                error.with(Option::is_some).then_some(error_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label class="field__label" for=id>
                {label}
            </label>
            <input
                id=id
                name=id
                type=kind
                class="input"
                autocomplete=autocomplete
                required
                node_ref=node_ref
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
            />
            {hint.map(|text| view! { <p class="field__hint" id=hint_id>{text}</p> })}
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field__error" id=error_id.clone()>
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
