//! The foot of a paged list: how many items are shown, a "Load more" button
//! while there are more, and what went wrong if a page failed to load.

use leptos::prelude::*;

/// The footer of a list loaded page by page.
#[component]
pub fn LoadMoreFooter(
    /// How many items are shown.
    #[prop(into)]
    count: Signal<usize>,
    /// The item's name, singular and plural: ("invoice", "invoices").
    noun: (&'static str, &'static str),
    /// Whether the server has more pages.
    #[prop(into)]
    has_more: Signal<bool>,
    /// Whether a page is being loaded.
    #[prop(into)]
    pending: Signal<bool>,
    /// Why the last page failed to load, if it did.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Asks for the next page.
    on_load_more: Callback<()>,
) -> impl IntoView {
    let (one, many) = noun;
    view! {
        <div class="table-footer">
            <p class="muted" role="status">
                {move || {
                    let n = count.get();
                    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
                }}
            </p>
            {move || {
                has_more
                    .get()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button button--secondary"
                                disabled=move || pending.get()
                                on:click=move |_| on_load_more.run(())
                            >
                                {move || if pending.get() { "Loading…" } else { "Load more" }}
                            </button>
                        }
                    })
            }}
        </div>
        {move || {
            error
                .get()
                .map(|message| {
                    view! {
                        <p class="banner banner--error table-error" role="alert">
                            {format!("We couldn't load more {many}: ")}
                            {message}
                        </p>
                    }
                })
        }}
    }
}
