//! Manage subscription: plan, billing interval, seats and add-ons, each
//! edit priced live by the API's own preview; then a review step that
//! confirms exactly that preview ([`editor`], over the model in [`draft`]).
//! Billing readers see the subscription read-only; users without billing
//! access see who manages it. Names, prices and the intervals each plan is
//! sold at come from the catalog.

mod draft;
mod editor;

use crate::api;
use crate::components::access_changed_notice::AccessChangedNotice;
use crate::components::loading_region::LoadingRegion;
use crate::components::no_billing_access::NoBillingAccess;
use crate::components::page_title::PageTitle;
use crate::components::subscription_summary::SubscriptionSummary;
use crate::state::access_change::{provide_access_change, use_access_watch};
use crate::state::catalog::use_catalog;
use crate::state::session::use_session;
use billing_domain::{Permission, SubscriptionStatus};
use draft::Draft;
use editor::SubscriptionEditor;
use leptos::prelude::*;

/// `/billing/subscription`.
#[component]
pub fn SubscriptionPage() -> impl IntoView {
    provide_access_change();
    let session = use_session();
    let can_read = Memo::new(move |_| session.with(|s| s.can(Permission::BillingRead)));
    let account_name = Signal::derive(move || {
        session.with(|s| {
            s.info()
                .map(|info| info.account.name.clone())
                .unwrap_or_default()
        })
    });

    view! {
        <PageTitle text="Manage subscription" />
        <div class="page">
            <a class="back-link" href="/billing">
                <span aria-hidden="true">"← "</span>
                "Back to Plans & Billing"
            </a>
            <header class="page__header">
                <h1 class="page__title">"Manage subscription"</h1>
                <p class="page__lead">
                    "Change your plan, billing interval, seats and add-ons. You'll see exactly what it costs before anything changes."
                </p>
            </header>
            <AccessChangedNotice />
            {move || {
                if can_read.get() {
                    view! { <SubscriptionSection account_name /> }.into_any()
                } else {
                    view! { <NoBillingAccess account_name /> }.into_any()
                }
            }}
        </div>
    }
}

/// What the last confirmation did. Kept above the editor, which is rebuilt
/// when the overview is read again after it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Outcome {
    /// The change was made; the sentence says what was charged or credited.
    Updated(String),
    /// Someone else changed the subscription first (412); nothing changed.
    Conflict,
}

/// The overview (`GET /api/billing/overview`), then the editor for users
/// who may change the subscription or the summary for those who may not.
#[component]
fn SubscriptionSection(account_name: Signal<String>) -> impl IntoView {
    let session = use_session();
    let can_manage = Memo::new(move |_| session.with(|s| s.can(Permission::BillingManage)));
    let overview = LocalResource::new(api::billing_overview);
    use_access_watch().resource(overview);
    let catalog = use_catalog();
    let (pending, set_pending) = signal(false);
    // The user's change and the last outcome outlive the editor: after a
    // conflict the change is priced again against the new figures.
    let draft = RwSignal::new(None::<Draft>);
    let outcome = RwSignal::new(None::<Outcome>);
    let reload = Callback::new(move |_| overview.refetch());

    view! {
        <div class="form-outcome" role="status" aria-live="polite">
            {move || match outcome.get() {
                Some(Outcome::Updated(message)) => {
                    Some(
                        view! {
                            <div class="banner banner--success" id="change-outcome" tabindex="-1">
                                <p class="banner__title">{message}</p>
                            </div>
                        },
                    )
                }
                _ => None,
            }}
        </div>
        {move || {
            (outcome.get() == Some(Outcome::Conflict))
                .then(|| {
                    view! {
                        <div class="banner banner--error" role="alert" id="change-outcome" tabindex="-1">
                            <p class="banner__title">
                                "The subscription changed since you opened this page."
                            </p>
                            <p>
                                "Someone else changed it first, so nothing was changed. The latest figures are loaded: check your change and confirm again."
                            </p>
                        </div>
                    }
                })
        }}
        <div aria-busy=move || pending.get().to_string()>
            <LoadingRegion
                label="Loading your subscription…"
                cards=2
                error_title="We couldn't load your subscription"
                on_retry=Callback::new(move |_| {
                    catalog.retry();
                    overview.refetch();
                })
                set_pending
            >
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            let catalog = catalog.get().await?;
                            Ok(
                                view! {
                                    {move || {
                                        let overview = overview.clone();
                                        let catalog = catalog.clone();
                                        if !can_manage.get() {
                                            view! { <SubscriptionSummary overview catalog /> }.into_any()
                                        } else if overview.status != SubscriptionStatus::Active {
                                            view! { <NotChangeable status=overview.status /> }.into_any()
                                        } else {
                                            view! { <SubscriptionEditor overview catalog draft outcome reload /> }
                                                .into_any()
                                        }
                                    }}
                                }
                                    .into_any(),
                            )
                        }
                        Err(e) if e.is_forbidden() => {
                            Ok(view! { <NoBillingAccess account_name /> }.into_any())
                        }
                        Err(e) => Err(e),
                    }
                })}
            </LoadingRegion>
        </div>
    }
}

/// Why a subscription that is not active can't be changed, and what to do.
#[component]
fn NotChangeable(status: SubscriptionStatus) -> impl IntoView {
    let (reason, href, action) = match status {
        SubscriptionStatus::PastDue | SubscriptionStatus::Deactivated | SubscriptionStatus::Frozen => (
            "Pay what is due by updating the payment method first; then you can change the plan, seats and add-ons.",
            "/billing/payment",
            "Update payment method",
        ),
        SubscriptionStatus::Canceled | SubscriptionStatus::Deleted => (
            "It has ended. Reactivate it from Plans & Billing to change it.",
            "/billing",
            "Go to Plans & Billing",
        ),
        _ => (
            "Resume it on Plans & Billing first; then you can change the plan, seats and add-ons.",
            "/billing",
            "Go to Plans & Billing",
        ),
    };
    view! {
        <section class="card card--notice" aria-labelledby="not-changeable-heading">
            <h2 class="card__title" id="not-changeable-heading">
                "Your subscription can't be changed right now"
            </h2>
            <p>{format!("It is {}. {reason}", status.label().to_lowercase())}</p>
            <p>
                <a class="button button--secondary" href=href>
                    {action}
                </a>
            </p>
        </section>
    }
}
