//! Content rendered a task after its place on the page: the browser paints,
//! and answers input, between the parts of a page instead of after all of
//! it. Rendering Plans & Billing in one piece was the longest task of a
//! first visit (issue 12); its lower sections now each come a task later.

use leptos::prelude::*;
use std::time::Duration;

/// Renders `children` in a task of its own, queued as this mounts. Nothing
/// is shown in between: what comes later is below the fold, and it is
/// ready before anyone could reach it.
#[component]
pub fn NextTask(children: ChildrenFn) -> impl IntoView {
    let ready = RwSignal::new(false);
    // Unmounted first (the user moved on): the signal is gone, and setting
    // it does nothing.
    set_timeout(
        move || {
            let _ = ready.try_set(true);
        },
        Duration::ZERO,
    );
    move || ready.get().then(|| children())
}
