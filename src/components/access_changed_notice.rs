//! Says that the user's billing access changed while the page was open, so
//! a view that shrinks or disappears is explained rather than broken.

use crate::state::access_change::use_access_change;
use leptos::prelude::*;

/// "Your billing access has changed.", shown once the page's
/// [`AccessChange`](crate::state::access_change::AccessChange) is set.
#[component]
pub fn AccessChangedNotice() -> impl IntoView {
    let change = use_access_change();
    move || {
        change.filter(|c| c.changed()).map(|_| {
            view! {
                <div class="banner banner--warning access-changed" role="alert">
                    <p class="banner__title">"Your billing access has changed."</p>
                    <p>
                        "The account owner changed what you can do in billing. This page now shows only what your new access allows."
                    </p>
                </div>
            }
        })
    }
}
