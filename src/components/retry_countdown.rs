//! The wait after too many attempts, counted down: a note beside the
//! button while it lasts, then an announcement that the user may try again.

use leptos::prelude::*;
use std::time::Duration;

/// Whole seconds left until `until` (browser milliseconds), re-read every
/// second; `None` when there is nothing (left) to wait for.
pub fn seconds_left(until: RwSignal<Option<f64>>) -> Signal<Option<u64>> {
    let tick = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(
        move || tick.update(|t| *t = t.wrapping_add(1)),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    Signal::derive(move || {
        tick.track();
        let until = until.get()?;
        let left = ((until - js_sys::Date::now()) / 1000.0).ceil();
        (left > 0.0).then_some(left as u64)
    })
}

/// "1 second", "40 seconds", "2 minutes 5 seconds".
pub fn wait_in_words(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match (secs / 60, secs % 60) {
        (0, s) => plural(s, "second"),
        (m, 0) => plural(m, "minute"),
        (m, s) => format!("{} {}", plural(m, "minute"), plural(s, "second")),
    }
}

/// While `left` counts down, "You can try again in …" (not announced each
/// second; the refusal itself was); once it ends, "You can try again now."
/// is announced politely. `id` lets the button point at the note.
#[component]
pub fn RetryCountdown(
    /// Seconds left, from [`seconds_left`].
    left: Signal<Option<u64>>,
    /// Whether a wait was ever imposed (so the end is worth announcing).
    waited: Signal<bool>,
    /// The note's id, for `aria-describedby`.
    id: &'static str,
) -> impl IntoView {
    view! {
        {move || {
            left.get()
                .map(|secs| {
                    view! {
                        <p class="field__hint retry-countdown" id=id>
                            {format!("You can try again in {}.", wait_in_words(secs))}
                        </p>
                    }
                })
        }}
        <p class="visually-hidden" role="status">
            {move || (waited.get() && left.get().is_none()).then_some("You can try again now.")}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::wait_in_words;

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(wait_in_words(1), "1 second");
        assert_eq!(wait_in_words(59), "59 seconds");
        assert_eq!(wait_in_words(60), "1 minute");
        assert_eq!(wait_in_words(125), "2 minutes 5 seconds");
        assert_eq!(wait_in_words(900), "15 minutes");
    }
}
