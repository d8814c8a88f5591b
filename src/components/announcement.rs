//! What an action reports when it finishes: done (announced politely) or
//! failed (an alert). The region stays in the page while its content comes
//! and goes, so screen readers announce each new message.

use leptos::prelude::*;

/// The outcome of an action, in a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// It worked, e.g. "Max Member now has manage access."
    Done(String),
    /// It did not, e.g. the API's message.
    Failed(String),
}

/// The announcement region. Keep it outside anything that re-renders when
/// the action's effects are loaded again, or the message would vanish with
/// the view it was about.
#[component]
pub fn AnnouncementRegion(
    /// The latest outcome, if any.
    announcement: RwSignal<Option<Announcement>>,
    /// Whether to move focus to each new message: for actions whose button
    /// goes away once they are done, so keyboard users are not left on
    /// nothing.
    #[prop(optional)]
    focus: bool,
) -> impl IntoView {
    let message_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if focus && announcement.with(Option::is_some) {
            request_animation_frame(move || {
                if let Some(message) = message_ref.get_untracked() {
                    let _ = message.focus();
                }
            });
        }
    });
    let done = move || match announcement.get() {
        Some(Announcement::Done(message)) => Some(message),
        _ => None,
    };
    let failed = move || match announcement.get() {
        Some(Announcement::Failed(message)) => Some(message),
        _ => None,
    };
    view! {
        <div class="announcement-region" tabindex="-1" node_ref=message_ref>
            <div class="form-outcome" role="status" aria-live="polite">
                {move || {
                    done()
                        .map(|message| {
                            view! {
                                <p class="banner banner--success announcement">
                                    <span class="announcement__icon" aria-hidden="true">
                                        "✓"
                                    </span>
                                    {message}
                                </p>
                            }
                        })
                }}
            </div>
            {move || {
                failed()
                    .map(|message| {
                        view! {
                            <p class="banner banner--error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
