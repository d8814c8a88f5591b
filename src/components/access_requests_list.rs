//! Members' open requests for billing access, for the owner to grant (read
//! or manage) or decline, each in one step.

use crate::api::members as api;
use crate::api::ApiError;
use crate::components::announcement::Announcement;
use crate::components::members_table::granted;
use crate::format;
use crate::state::access_change::use_access_watch;
use billing_domain::wire::AccessRequest;
use billing_domain::BillingAccess;
use leptos::prelude::*;

/// What the owner decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Grant(BillingAccess),
    Decline,
}

/// The open requests, or that there are none.
#[component]
pub fn AccessRequestsList(
    /// The open requests, oldest first.
    requests: Vec<AccessRequest>,
    /// Where each decision is announced.
    announcement: RwSignal<Option<Announcement>>,
    /// Called after a decision (or a conflict), to read members and
    /// requests again.
    on_decided: Callback<()>,
    /// The section's heading; focus goes there when a decided request
    /// leaves the list.
    heading_ref: NodeRef<leptos::html::H2>,
) -> impl IntoView {
    let watch = use_access_watch();
    let open = RwSignal::new(requests);
    let decide = Action::new_local(move |(request, decision): &(AccessRequest, Decision)| {
        let (request, decision) = (request.clone(), *decision);
        async move {
            let answer = match decision {
                Decision::Grant(level) => api::grant_access_request(&request.id, level).await,
                Decision::Decline => api::decline_access_request(&request.id).await,
            };
            (request, decision, answer.map(drop))
        }
    });
    let deciding = decide.pending();
    Effect::new(move |_| {
        let Some((request, decision, answer)) = decide.value().get() else {
            return;
        };
        let name = request.user_name.clone();
        let message = match answer {
            Ok(()) => {
                open.update(|list| list.retain(|r| r.id != request.id));
                Announcement::Done(match decision {
                    Decision::Grant(level) => granted(&name, level),
                    Decision::Decline => format!("You declined {name}'s request."),
                })
            }
            Err(e) if watch.is_forbidden(&e) => Announcement::Failed(
                "Your access has changed: only the account owner can decide access requests."
                    .into(),
            ),
            Err(ApiError { message, .. }) => Announcement::Failed(message),
        };
        announcement.set(Some(message));
        on_decided.run(());
        request_animation_frame(move || {
            if let Some(heading) = heading_ref.get_untracked() {
                let _ = heading.focus();
            }
        });
    });

    move || {
        let requests = open.get();
        if requests.is_empty() {
            return view! { <p class="empty-state">"No open requests."</p> }.into_any();
        }
        view! {
            <ul class="request-list">
                {requests
                    .into_iter()
                    .map(|request| {
                        let name_id = format!("request-{}-name", request.id);
                        let note = if request.note.trim().is_empty() {
                            view! { <p class="muted">"No note."</p> }.into_any()
                        } else {
                            view! { <blockquote class="request__note">{request.note.clone()}</blockquote> }
                                .into_any()
                        };
                        let for_buttons = request.clone();
                        let button = move |label: &'static str, decision: Decision| {
                            let request = for_buttons.clone();
                            let name_id = format!("request-{}-name", request.id);
                            view! {
                                <button
                                    type="button"
                                    class="button button--secondary button--small"
                                    aria-describedby=name_id
                                    disabled=move || deciding.get()
                                    on:click=move |_| {
                                        if !deciding.get_untracked() {
                                            decide.dispatch((request.clone(), decision));
                                        }
                                    }
                                >
                                    {label}
                                </button>
                            }
                        };
                        view! {
                            <li class="request">
                                <div class="request__who">
                                    <span class="avatar avatar--muted" aria-hidden="true">
                                        {request.user_name.chars().next().map(|c| c.to_uppercase().to_string())}
                                    </span>
                                    <div>
                                        <p class="request__name" id=name_id>
                                            {request.user_name.clone()}
                                        </p>
                                        <p class="muted">
                                            {format!(
                                                "{} · asked on {}",
                                                request.user_email,
                                                format::date(request.created_at),
                                            )}
                                        </p>
                                    </div>
                                </div>
                                {note}
                                <div class="request__actions">
                                    {button("Grant read access", Decision::Grant(BillingAccess::Read))}
                                    {button("Grant manage access", Decision::Grant(BillingAccess::Manage))}
                                    {button("Decline", Decision::Decline)}
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    }
}
