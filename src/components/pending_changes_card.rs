//! Changes that wait for the renewal (fewer seats, a switch to monthly
//! billing), each with "Undo" for users who may change the subscription.

use crate::api::subscription::{self as api, PendingChange};
use crate::api::ApiError;
use crate::components::announcement::{Announcement, AnnouncementRegion};
use crate::components::card::Card;
use crate::format;
use crate::state::access_change::use_access_watch;
use crate::state::overview_revision::use_overview_revision;
use crate::state::session::use_session;
use billing_domain::wire::BillingOverview;
use billing_domain::{Interval, Permission};
use leptos::prelude::*;

/// The "Pending changes" card (nothing when nothing is pending) and the
/// announcement of an undo.
///
/// It reads the page's overview resource itself and sits outside the
/// overview cards' `<Transition>`: an undo bumps the overview revision,
/// which reloads the page's figures, and the announcement stays in place.
#[component]
pub fn PendingChangesCard(
    /// The page's `GET /api/billing/overview` resource.
    overview: LocalResource<Result<BillingOverview, ApiError>>,
) -> impl IntoView {
    let session = use_session();
    let watch = use_access_watch();
    let revision = use_overview_revision();
    let can_manage = Memo::new(move |_| session.with(|s| s.can(Permission::BillingManage)));
    let announcement = RwSignal::new(None::<Announcement>);

    let undo = Action::new_local(move |(kind, version, seats): &(PendingChange, i64, u32)| {
        let (kind, version, seats) = (*kind, *version, *seats);
        async move { (kind, seats, api::undo_pending_change(kind, version).await) }
    });
    let undoing = undo.pending();
    Effect::new(move |_| {
        let Some((kind, seats, result)) = undo.value().get() else {
            return;
        };
        let outcome = match result {
            Ok(()) => Announcement::Done(match kind {
                PendingChange::Seats => format!(
                    "The seat reduction was undone. You keep {}.",
                    format::seats(seats)
                ),
                PendingChange::Interval => {
                    "The switch to monthly billing was undone. You stay on annual billing."
                        .to_string()
                }
            }),
            Err(e) if watch.is_forbidden(&e) => Announcement::Failed(
                "Your billing access has changed: you can no longer change the subscription."
                    .into(),
            ),
            Err(e) => Announcement::Failed(undo_error(&e)),
        };
        announcement.set(Some(outcome));
        revision.bump();
    });
    let on_undo = Callback::new(move |request: (PendingChange, i64, u32)| {
        if !undoing.get_untracked() {
            announcement.set(None);
            undo.dispatch(request);
        }
    });

    let card = move || {
        let overview = overview.get().and_then(Result::ok)?;
        let at = overview.pending_effective_at?;
        (!overview.pending.is_empty()).then(|| {
            view! { <PendingList overview at can_manage undoing on_undo /> }
        })
    };

    view! {
        <div class="pending-changes">
            {card}
            <AnnouncementRegion announcement focus=true />
        </div>
    }
}

/// The card itself.
#[component]
fn PendingList(
    overview: BillingOverview,
    at: chrono::DateTime<chrono::Utc>,
    can_manage: Memo<bool>,
    undoing: Memo<bool>,
    on_undo: Callback<(PendingChange, i64, u32)>,
) -> impl IntoView {
    let date = format::date(at);
    let purchased = overview.seats.purchased;
    let version = overview.version;
    let item = move |text: String, kind: PendingChange| {
        let text_id = match kind {
            PendingChange::Seats => "pending-seats-text",
            PendingChange::Interval => "pending-interval-text",
        };
        view! {
            <li class="pending-list__item">
                <span class="pending-list__text" id=text_id>
                    {text}
                </span>
                {move || {
                    can_manage
                        .get()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button--secondary button--small"
                                    aria-describedby=text_id
                                    disabled=move || undoing.get()
                                    on:click=move |_| on_undo.run((kind, version, purchased))
                                >
                                    "Undo"
                                </button>
                            }
                        })
                }}
            </li>
        }
    };
    let seats = overview.pending.seats.map(|n| {
        item(
            format!("Seats drop from {purchased} to {n} on {date}"),
            PendingChange::Seats,
        )
    });
    let interval = overview.pending.interval.map(|interval| {
        let text = match interval {
            Interval::Month => format!("Switches to monthly billing on {date}"),
            Interval::Year => format!("Switches to annual billing on {date}"),
        };
        item(text, PendingChange::Interval)
    });

    view! {
        <Card title="Pending changes" heading_id="pending-changes-heading" class="card--pending">
            <ul class="pending-list">{seats} {interval}</ul>
            {move || {
                if can_manage.get() {
                    view! {
                        <p class="muted">
                            "These take effect at your next renewal. Until then you can undo them."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="read-only-note">
                            "Only the account owner, admins and members with manage access can undo a pending change."
                        </p>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}

/// Why an undo failed, for people.
fn undo_error(e: &ApiError) -> String {
    if e.status == Some(412) {
        "The subscription changed since you opened this page. Nothing was undone; the latest figures are shown.".into()
    } else {
        format!("The change could not be undone: {}", e.message)
    }
}
