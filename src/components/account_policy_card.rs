//! The account's cancellation policy: whether only the owner may cancel
//! the subscription. The owner switches it; admins see it.

use crate::api::members as api;
use crate::components::announcement::Announcement;
use crate::state::access_change::use_access_watch;
use billing_domain::wire::AccountInfo;
use leptos::prelude::*;

/// The "Only the owner can cancel the subscription" switch.
#[component]
pub fn AccountPolicyCard(
    /// The account and its policy.
    account: AccountInfo,
    /// Whether the viewer may change it (the owner).
    #[prop(into)]
    can_set: Signal<bool>,
    /// Where a change is announced.
    announcement: RwSignal<Option<Announcement>>,
) -> impl IntoView {
    let watch = use_access_watch();
    let on = RwSignal::new(account.cancel_requires_owner);
    let save = Action::new_local(move |wanted: &bool| {
        let wanted = *wanted;
        async move { (wanted, api::set_cancel_requires_owner(wanted).await) }
    });
    let saving = save.pending();
    Effect::new(move |_| {
        let Some((wanted, answer)) = save.value().get() else {
            return;
        };
        let message = match answer {
            Ok(info) => {
                on.set(info.cancel_requires_owner);
                Announcement::Done(if info.cancel_requires_owner {
                    "Only the owner can cancel the subscription now.".to_string()
                } else {
                    "Admins can cancel the subscription again.".to_string()
                })
            }
            Err(e) => {
                // The switch moved when clicked; put it back.
                on.set(!wanted);
                if watch.is_forbidden(&e) {
                    Announcement::Failed(
                        "Your access has changed: only the account owner can change this policy."
                            .into(),
                    )
                } else {
                    Announcement::Failed(format!("The policy was not changed: {}", e.message))
                }
            }
        };
        announcement.set(Some(message));
    });

    view! {
        <div class="switch-field">
            <input
                id="cancel-requires-owner"
                class="switch"
                type="checkbox"
                role="switch"
                prop:checked=move || on.get()
                disabled=move || !can_set.get() || saving.get()
                aria-describedby="cancel-requires-owner-hint"
                on:change=move |ev| {
                    let wanted = event_target_checked(&ev);
                    on.set(wanted);
                    save.dispatch(wanted);
                }
            />
            <div>
                <label class="field__label" for="cancel-requires-owner">
                    "Only the owner can cancel the subscription"
                </label>
                <p class="field__hint" id="cancel-requires-owner-hint">
                    "When this is on, admins can't cancel. They can still change the plan, seats and payment method."
                </p>
            </div>
        </div>
        {move || {
            (!can_set.get())
                .then(|| {
                    view! { <p class="read-only-note">"Only the owner can change this policy."</p> }
                })
        }}
    }
}
