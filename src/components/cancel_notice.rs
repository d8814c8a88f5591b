//! The leaving-and-pausing states of the subscription, as notices: on Plans
//! & Billing a red notice while a cancellation is scheduled and a notice
//! while paused (both with "Resume subscription"), and the ended notice with
//! the way back; on Manage payment, that saving a card reactivates an ended
//! subscription; and, for everyone but the owner once it has ended, the
//! API's explanation instead of billing.

use crate::api::cancel as cancel_api;
use crate::api::ApiError;
use crate::format;
use crate::state::overview_revision::use_overview_revision;
use crate::state::session::use_session;
use billing_domain::wire::BillingOverview;
use billing_domain::{Permission, SubscriptionStatus};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Where a card is saved (and an ended subscription reactivated).
const PAYMENT_PATH: &str = "/billing/payment";

/// Which resume a button performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resume {
    /// Withdraw a scheduled cancellation (`DELETE /api/subscription/cancel`).
    Cancellation,
    /// End a pause (`POST /api/subscription/resume`).
    Pause,
}

impl Resume {
    /// What is announced once it worked.
    fn done_message(self) -> &'static str {
        match self {
            Resume::Cancellation => "Your subscription will continue.",
            Resume::Pause => "Your subscription is active again.",
        }
    }
}

/// The notice for the overview's state, above the overview cards.
///
/// It sits outside the cards' `<Transition>` and reads the page's overview
/// resource itself, so that after "Resume subscription" (which bumps the
/// overview revision, reloading the page) its announcement stays in place.
#[component]
pub fn SubscriptionNotice(
    /// The page's `GET /api/billing/overview` resource.
    overview: LocalResource<Result<BillingOverview, ApiError>>,
) -> impl IntoView {
    let session = use_session();
    let revision = use_overview_revision();
    let can_manage = Signal::derive(move || session.with(|s| s.can(Permission::BillingManage)));
    let announcement = RwSignal::new(None::<&'static str>);

    let resume = Action::new_local(move |which: &Resume| {
        let which = *which;
        async move {
            match which {
                Resume::Cancellation => cancel_api::resume_cancellation().await,
                Resume::Pause => cancel_api::resume_subscription().await,
            }
            .map(|_| which)
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(which)) = resume.value().get() {
            announcement.set(Some(which.done_message()));
            revision.bump();
        }
    });
    let error = Signal::derive(move || match resume.value().get() {
        Some(Err(e)) if !resume.pending().get() => Some(e),
        _ => None,
    });
    let on_resume = Callback::new(move |which: Resume| {
        if !resume.pending().get_untracked() {
            announcement.set(None);
            resume.dispatch(which);
        }
    });
    let pending = resume.pending();

    let notice = move || {
        let overview = overview.get().and_then(Result::ok)?;
        Some(match overview.status {
            SubscriptionStatus::CancelScheduled => view! {
                <CancelScheduledNotice overview can_manage pending error on_resume />
            }
            .into_any(),
            SubscriptionStatus::Paused => {
                view! { <PausedNotice overview can_manage pending error on_resume /> }.into_any()
            }
            SubscriptionStatus::Canceled => {
                view! { <EndedNotice overview can_manage /> }.into_any()
            }
            _ => return None,
        })
    };

    view! {
        <div class="cancel-notices">
            {notice}
            <div class="form-outcome" role="status" aria-live="polite">
                {move || {
                    announcement
                        .get()
                        .map(|message| {
                            view! {
                                <p class="banner banner--success">{message}</p>
                            }
                        })
                }}
            </div>
        </div>
    }
}

/// "Your subscription is scheduled to cancel on DATE", in red, with
/// "Resume subscription".
#[component]
fn CancelScheduledNotice(
    overview: BillingOverview,
    can_manage: Signal<bool>,
    pending: Memo<bool>,
    error: Signal<Option<ApiError>>,
    on_resume: Callback<Resume>,
) -> impl IntoView {
    let ends = overview.cancel_at.unwrap_or(overview.current_period_end);
    let title = format!(
        "Your subscription is scheduled to cancel on {}",
        format::date(ends)
    );
    let left = days_until(ends, overview.as_of);
    view! {
        <div class="subscription-notice subscription-notice--danger" role="alert">
            <span class="subscription-notice__icon" aria-hidden="true">
                "!"
            </span>
            <div class="subscription-notice__text">
                <p class="subscription-notice__title">{title}</p>
                <p>
                    {format!(
                        "Until then ({} left) everything keeps working and nothing more is charged. Changed your mind? Resume it any time before then.",
                        format::days(left),
                    )}
                </p>
                <ResumeControls which=Resume::Cancellation can_manage pending error on_resume />
            </div>
        </div>
    }
}

/// "Your subscription is paused", with the next pause charge and "Resume
/// subscription".
#[component]
fn PausedNotice(
    overview: BillingOverview,
    can_manage: Signal<bool>,
    pending: Memo<bool>,
    error: Signal<Option<ApiError>>,
    on_resume: Callback<Resume>,
) -> impl IntoView {
    let next = overview.next_charge_date.map(|date| {
        format!(
            " The next charge is {} on {}.",
            overview.next_charge.format(),
            format::date(date)
        )
    });
    view! {
        <div class="subscription-notice subscription-notice--info" role="status">
            <span class="subscription-notice__icon" aria-hidden="true">
                "❚❚"
            </span>
            <div class="subscription-notice__text">
                <p class="subscription-notice__title">"Your subscription is paused"</p>
                <p>
                    "Your data, credits and history are kept."
                    {next}
                    " Resume any time: within the period you've already paid for it's free; after that a new billing period starts and is charged to your card."
                </p>
                <ResumeControls which=Resume::Pause can_manage pending error on_resume />
            </div>
        </div>
    }
}

/// "Resume subscription" and what went wrong last time, or who may resume.
#[component]
fn ResumeControls(
    which: Resume,
    can_manage: Signal<bool>,
    pending: Memo<bool>,
    error: Signal<Option<ApiError>>,
    on_resume: Callback<Resume>,
) -> impl IntoView {
    move || {
        if !can_manage.get() {
            return view! {
                <p class="muted">"The account owner or an admin can resume it."</p>
            }
            .into_any();
        }
        view! {
            {move || {
                error
                    .get()
                    .map(|e| {
                        let declined = e.status == Some(402);
                        view! {
                            <div class="banner banner--error" role="alert">
                                <p class="banner__title">{e.message}</p>
                                {declined
                                    .then(|| {
                                        view! {
                                            <p>
                                                "Nothing was changed. "
                                                <a href=PAYMENT_PATH>"Update your payment method"</a>
                                                " and try again."
                                            </p>
                                        }
                                    })}
                            </div>
                        }
                    })
            }}
            <button
                type="button"
                class="button button--primary button--small"
                disabled=move || pending.get()
                on:click=move |_| on_resume.run(which)
            >
                {move || if pending.get() { "Resuming…" } else { "Resume subscription" }}
            </button>
        }
        .into_any()
    }
}

/// "Your subscription has ended", until when the data is kept, and the way
/// back: a card on Manage payment.
#[component]
fn EndedNotice(overview: BillingOverview, can_manage: Signal<bool>) -> impl IntoView {
    let kept = overview.data_deleted_at.map(|until| {
        format!(
            "Your data is kept until {} ({} left); after that it is deleted and can't be recovered.",
            format::date(until),
            format::days(days_until(until, overview.as_of))
        )
    });
    view! {
        <div class="subscription-notice subscription-notice--neutral" role="status">
            <span class="subscription-notice__icon" aria-hidden="true">
                "i"
            </span>
            <div class="subscription-notice__text">
                <p class="subscription-notice__title">"Your subscription has ended."</p>
                {kept.map(|text| view! { <p>{text}</p> })}
                {move || {
                    if can_manage.get() {
                        view! {
                            <p>
                                "Reactivate it any time before then: saving a card starts a new billing period, charged to that card."
                            </p>
                            <a class="button button--primary button--small" href=PAYMENT_PATH>
                                "Reactivate with a card"
                            </a>
                        }
                            .into_any()
                    } else {
                        view! { <p>"The account owner can reactivate it."</p> }.into_any()
                    }
                }}
            </div>
        </div>
    }
}

/// On Manage payment, for an ended subscription: saving a card below
/// reactivates it and charges a new period.
#[component]
pub fn ReactivationNote(
    /// The subscription's state.
    status: SubscriptionStatus,
    /// When the data will be deleted, if it has ended.
    data_deleted_at: Option<DateTime<Utc>>,
    /// What reactivating charges (the overview's next charge).
    charge: billing_domain::Money,
) -> impl IntoView {
    (status == SubscriptionStatus::Canceled).then(|| {
        let until = data_deleted_at
            .map(|at| format!(" Your data is kept until {}.", format::date(at)))
            .unwrap_or_default();
        view! {
            <div class="subscription-notice subscription-notice--info" role="note">
                <span class="subscription-notice__icon" aria-hidden="true">
                    "i"
                </span>
                <div class="subscription-notice__text">
                    <p class="subscription-notice__title">"Your subscription has ended"</p>
                    <p>
                        {format!(
                            "Saving a card below reactivates it: a new billing period starts today and {} is charged to that card (after any credit balance).{until}",
                            charge.format(),
                        )}
                    </p>
                </div>
            </div>
        }
    })
}

/// What users other than the owner see once the subscription has ended:
/// the API's explanation (only the owner keeps billing).
#[component]
pub fn SubscriptionEndedNotice(
    /// The API's message.
    message: String,
) -> impl IntoView {
    view! {
        <section class="card card--notice" aria-labelledby="subscription-ended-heading">
            <span class="notice-icon" aria-hidden="true">
                "i"
            </span>
            <h2 class="card__title" id="subscription-ended-heading">
                "Your subscription has ended"
            </h2>
            <p>{message}</p>
        </section>
    }
}

/// Whole days from `now` until `at`, counting a started day as a day and
/// never below zero. `now` is the overview's `as_of`, the account's clock.
fn days_until(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    const DAY: i64 = 86_400;
    let seconds = (at - now).num_seconds().max(0);
    (seconds + DAY - 1) / DAY
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn days_left_count_started_days() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap();
        let cases = [
            (Duration::days(30), 30),
            (Duration::days(30) - Duration::hours(1), 30),
            (Duration::hours(1), 1),
            (Duration::zero(), 0),
            (Duration::days(-2), 0),
        ];
        for (ahead, days) in cases {
            assert_eq!(days_until(now + ahead, now), days, "{ahead}");
        }
    }
}
