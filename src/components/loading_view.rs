//! What a region shows while its data loads: a skeleton, announced as busy.

use leptos::prelude::*;

/// A busy placeholder. With `cards`, it sketches that many cards of the
/// overview grid; otherwise it is a single line.
#[component]
pub fn LoadingView(
    /// Read out to assistive technology and shown beside the spinner.
    #[prop(default = "Loading…")]
    label: &'static str,
    /// How many skeleton cards to sketch (0 for a one-line spinner).
    #[prop(optional)]
    cards: usize,
) -> impl IntoView {
    let skeleton = (cards > 0).then(|| {
        view! {
            <div class="card-grid" aria-hidden="true">
                {(0..cards)
                    .map(|_| {
                        view! {
                            <div class="card card--skeleton">
                                <span class="skeleton skeleton--eyebrow"></span>
                                <span class="skeleton skeleton--title"></span>
                                <span class="skeleton skeleton--line"></span>
                                <span class="skeleton skeleton--line skeleton--short"></span>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        }
    });
    view! {
        <div class="loading" role="status" aria-busy="true" aria-live="polite">
            <p class="loading__label" class:visually-hidden={cards > 0}>
                <span class="spinner" aria-hidden="true"></span>
                {label}
            </p>
            {skeleton}
        </div>
    }
}
