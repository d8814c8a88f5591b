//! The account's people and their billing access. The owner sets each
//! member's level with a select, confirmed in place; owners and admins
//! manage billing through their role; admins see the table read-only.

use crate::api::members as api;
use crate::components::announcement::Announcement;
use crate::state::access_change::use_access_watch;
use billing_domain::wire::Member;
use billing_domain::{BillingAccess, Role};
use leptos::prelude::*;

/// The levels a member can have, as the select offers them.
const LEVELS: [BillingAccess; 3] = [
    BillingAccess::None,
    BillingAccess::Read,
    BillingAccess::Manage,
];

/// A level as people read it.
pub fn access_label(access: BillingAccess) -> &'static str {
    match access {
        BillingAccess::None => "No access",
        BillingAccess::Read => "View billing (read)",
        BillingAccess::Manage => "Manage billing",
    }
}

/// "Give Max Member manage access?", asked before a level is saved.
fn question(name: &str, level: BillingAccess) -> String {
    match level {
        BillingAccess::None => format!("Remove {name}'s billing access?"),
        level => format!("Give {name} {} access?", level.as_str()),
    }
}

/// "Max Member now has manage access.", once it is saved.
pub fn granted(name: &str, level: BillingAccess) -> String {
    match level {
        BillingAccess::None => format!("{name} no longer has billing access."),
        level => format!("{name} now has {} access.", level.as_str()),
    }
}

/// The table of people (name, email, role, billing access).
#[component]
pub fn MembersTable(
    /// The account's users.
    members: Vec<Member>,
    /// Whether the viewer may change members' access (the owner).
    #[prop(into)]
    can_grant: Signal<bool>,
    /// Where each change is announced.
    announcement: RwSignal<Option<Announcement>>,
) -> impl IntoView {
    let rows = members
        .into_iter()
        .map(|member| view! { <MemberRow member can_grant announcement /> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table members-table">
                <caption class="visually-hidden">"People and their billing access"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Billing access"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One person.
#[component]
fn MemberRow(
    member: Member,
    can_grant: Signal<bool>,
    announcement: RwSignal<Option<Announcement>>,
) -> impl IntoView {
    let access_cell = match member.role {
        Role::Owner => {
            view! { <span class="access-fixed">"Manages billing (owner)"</span> }.into_any()
        }
        Role::Admin => {
            view! { <span class="access-fixed">"Manages billing (admin)"</span> }.into_any()
        }
        Role::Member => {
            let member = member.clone();
            view! {
                {move || {
                    if can_grant.get() {
                        view! { <AccessSelect member=member.clone() announcement /> }.into_any()
                    } else {
                        view! { <span>{access_label(member.billing_access)}</span> }.into_any()
                    }
                }}
            }
            .into_any()
        }
    };
    view! {
        <tr>
            <th scope="row">{member.name.clone()}</th>
            <td>
                <a href=format!("mailto:{}", member.email)>{member.email.clone()}</a>
            </td>
            <td>
                <span class=format!("role role--{}", member.role.as_str())>{member.role.label()}</span>
            </td>
            <td class="members-table__access">{access_cell}</td>
        </tr>
    }
}

/// The owner's select for one member, with "Save" and "Cancel" in place.
#[component]
fn AccessSelect(member: Member, announcement: RwSignal<Option<Announcement>>) -> impl IntoView {
    let watch = use_access_watch();
    let access = RwSignal::new(member.billing_access);
    let choice = RwSignal::new(None::<BillingAccess>);
    let shown = move || choice.get().unwrap_or_else(|| access.get());
    let select_ref = NodeRef::<leptos::html::Select>::new();
    let select_id = format!("access-{}", member.id);
    let question_id = format!("access-question-{}", member.id);
    let name = member.name.clone();
    let id = member.id.clone();

    let save = Action::new_local(move |level: &BillingAccess| {
        let level = *level;
        let id = id.clone();
        async move { api::set_billing_access(&id, level).await }
    });
    let saving = save.pending();
    let focus_select = move || {
        request_animation_frame(move || {
            if let Some(select) = select_ref.get_untracked() {
                let _ = select.focus();
            }
        })
    };
    Effect::new({
        let name = name.clone();
        move |_| match save.value().get() {
            Some(Ok(saved)) => {
                access.set(saved.billing_access);
                choice.set(None);
                announcement.set(Some(Announcement::Done(granted(
                    &name,
                    saved.billing_access,
                ))));
                focus_select();
            }
            Some(Err(e)) => {
                let message = if watch.is_forbidden(&e) {
                    "Your access has changed: only the account owner can change billing access."
                        .to_string()
                } else {
                    format!("{name}'s access was not changed: {}", e.message)
                };
                announcement.set(Some(Announcement::Failed(message)));
            }
            None => {}
        }
    });

    let options = LEVELS
        .into_iter()
        .map(|level| {
            view! {
                <option value=level.as_str() prop:selected=move || shown() == level>
                    {access_label(level)}
                </option>
            }
        })
        .collect_view();
    let confirmation = {
        let name = name.clone();
        let question_id = question_id.clone();
        move || {
            choice.get().map(|level| {
                view! {
                    <div class="confirm-inline" role="group" aria-labelledby=question_id.clone()>
                        <p class="confirm-inline__question" id=question_id.clone()>
                            {question(&name, level)}
                        </p>
                        <div class="confirm-inline__actions">
                            <button
                                type="button"
                                class="button button--primary button--small"
                                disabled=move || saving.get()
                                on:click=move |_| {
                                    if !saving.get_untracked() {
                                        save.dispatch(level);
                                    }
                                }
                            >
                                {move || if saving.get() { "Saving…" } else { "Save" }}
                            </button>
                            <button
                                type="button"
                                class="button button--secondary button--small"
                                disabled=move || saving.get()
                                on:click=move |_| {
                                    choice.set(None);
                                    focus_select();
                                }
                            >
                                "Cancel"
                            </button>
                        </div>
                    </div>
                }
            })
        }
    };

    view! {
        <div class="access-select">
            <label class="visually-hidden" for=select_id.clone()>
                {format!("Billing access for {name}")}
            </label>
            <select
                id=select_id
                class="input select"
                node_ref=select_ref
                disabled=move || saving.get()
                on:change=move |ev| {
                    let picked = BillingAccess::parse(&event_target_value(&ev));
                    choice.set(picked.filter(|level| *level != access.get_untracked()));
                }
            >
                {options}
            </select>
            <div aria-live="polite">{confirmation}</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_is_asked_and_announced_in_words() {
        assert_eq!(
            question("Max Member", BillingAccess::Manage),
            "Give Max Member manage access?"
        );
        assert_eq!(
            question("Max Member", BillingAccess::None),
            "Remove Max Member's billing access?"
        );
        assert_eq!(
            granted("Max Member", BillingAccess::Read),
            "Max Member now has read access."
        );
        assert_eq!(
            granted("Max Member", BillingAccess::None),
            "Max Member no longer has billing access."
        );
        assert_eq!(access_label(BillingAccess::Read), "View billing (read)");
    }
}
