//! Signing out of every other session (a shared or lost computer).

use crate::api;
use crate::components::announcement::{Announcement, AnnouncementRegion};
use crate::components::card::Card;
use leptos::prelude::*;

/// What the card says once the other sessions are signed out.
pub fn signed_out_message(sessions_ended: u64) -> String {
    match sessions_ended {
        0 => "You were not signed in anywhere else.".to_string(),
        1 => "Signed out of 1 other session.".to_string(),
        n => format!("Signed out of {n} other sessions."),
    }
}

/// The card (`DELETE /api/session/others`).
#[component]
pub fn OtherSessionsCard() -> impl IntoView {
    let announcement = RwSignal::new(None::<Announcement>);
    let end = Action::new_local(|_: &()| api::security::end_other_sessions());
    let pending = end.pending();
    Effect::new(move |_| match end.value().get() {
        Some(Ok(ended)) => announcement.set(Some(Announcement::Done(signed_out_message(
            ended.sessions_ended,
        )))),
        Some(Err(e)) => announcement.set(Some(Announcement::Failed(e.message))),
        None => {}
    });
    view! {
        <Card title="Other sessions" heading_id="sessions-heading">
            <p>
                "Signed in on a shared computer, or lost a device? Sign out everywhere but here. You stay signed in on this browser."
            </p>
            <div class="form-actions">
                <button
                    type="button"
                    class="button button--secondary"
                    disabled=move || pending.get()
                    on:click=move |_| {
                        if !pending.get_untracked() {
                            announcement.set(None);
                            end.dispatch(());
                        }
                    }
                >
                    {move || if pending.get() { "Signing out…" } else { "Sign out other sessions" }}
                </button>
            </div>
            <AnnouncementRegion announcement />
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::signed_out_message;

    #[test]
    fn the_result_says_how_many_sessions_ended() {
        assert_eq!(
            signed_out_message(0),
            "You were not signed in anywhere else."
        );
        assert_eq!(signed_out_message(1), "Signed out of 1 other session.");
        assert_eq!(signed_out_message(2), "Signed out of 2 other sessions.");
    }
}
