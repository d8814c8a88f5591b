//! Where the user is in the cancel wizard: "Step 2 of 5" and the steps by
//! name, the current one marked.

use leptos::prelude::*;

/// The wizard's progress. Steps before `current` show as done.
#[component]
pub fn CancelStepper(
    /// The names of the steps of this run, in order.
    steps: Vec<&'static str>,
    /// The index of the current step in `steps`.
    current: usize,
) -> impl IntoView {
    let total = steps.len();
    let count = format!("Step {} of {total}", current + 1);
    view! {
        <nav class="stepper" aria-label="Cancellation progress">
            <p class="stepper__count">{count}</p>
            <ol class="stepper__list">
                {steps
                    .into_iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let state = match i.cmp(&current) {
                            std::cmp::Ordering::Less => "done",
                            std::cmp::Ordering::Equal => "current",
                            std::cmp::Ordering::Greater => "next",
                        };
                        view! {
                            <li
                                class=format!("stepper__step stepper__step--{state}")
                                aria-current=(i == current).then_some("step")
                            >
                                <span class="stepper__marker" aria-hidden="true">
                                    {if i < current { "✓".to_string() } else { (i + 1).to_string() }}
                                </span>
                                <span class="stepper__name">{name}</span>
                                {(i < current)
                                    .then(|| view! { <span class="visually-hidden">" (done)"</span> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
