//! A white card with a heading: the building block of the overview grid.

use leptos::prelude::*;

/// A titled section. Its heading (an `h2`) also names the section, so
/// assistive technology (and tests) can find the card by its title.
#[component]
pub fn Card(
    /// The heading text.
    #[prop(into)]
    title: String,
    /// A unique id for the heading, used to label the section.
    heading_id: &'static str,
    /// A small label above the heading, e.g. "Current plan".
    #[prop(optional)]
    eyebrow: Option<&'static str>,
    /// Extra classes for the card, e.g. `card--wide`.
    #[prop(optional)]
    class: &'static str,
    /// The card's body.
    children: Children,
) -> impl IntoView {
    view! {
        <section class=format!("card {class}") aria-labelledby=heading_id>
            <header class="card__header">
                {eyebrow.map(|text| view! { <p class="card__eyebrow">{text}</p> })}
                <h2 class="card__title" id=heading_id>
                    {title}
                </h2>
            </header>
            <div class="card__body">{children()}</div>
        </section>
    }
}
