//! The cancel wizard (SPEC §5): where a run starts (`/billing/cancel`) and
//! the frame its steps share (`/billing/cancel/:session/…`). What the steps
//! know of the run is in [`wizard`], the frames of its screens in
//! [`frames`]; both are re-exported here.
//!
//! One step per screen, each with its own address, so reload, Back and
//! Forward work. The run's reason and offers live in the API's session; the
//! API has no read of a session, so the reason is also kept in the tab's
//! `sessionStorage` and sent again after a reload to get the offers back.
//! The acknowledged consequences and an accepted offer's outcome are kept
//! there too. Nothing changes until the final confirmation.

mod frames;
mod wizard;

pub use frames::{CancelResultFrame, CancelStepFrame, KeepSubscriptionLink, StepRedirect};
pub use wizard::{
    done_path, kept_path, replace, step_path, stored_outcome, use_cancel_wizard, CancelWizard,
    Outcome, Step, BILLING_PATH,
};

use crate::api::cancel as cancel_api;
use crate::api::ApiError;
use crate::components::error_view::{errors_message, ErrorView};
use crate::components::loading_region::LoadingRegion;
use crate::components::loading_view::LoadingView;
use crate::components::not_found_notice::NotFoundNotice;
use crate::components::page_title::PageTitle;
use crate::state::catalog::{use_catalog, Catalog, CatalogContext};
use crate::state::session::use_session;
use billing_domain::wire::{CancelFlowView, CancelSession, ChooseReasonRequest};
use billing_domain::{Permission, SubscriptionStatus};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_params_map;
use wizard::{key, read_stored};

/// How a run can start, given the subscription's state.
#[derive(Clone)]
enum Start {
    /// A run was started: go to its first step.
    Started(String),
    /// Nothing to cancel now (already scheduled, ended, or unpaid).
    Unavailable(SubscriptionStatus),
}

/// `/billing/cancel`: records the start of a run and goes to its first step
/// (replacing this address in the history, so Back returns to Plans &
/// Billing). Says why not when the subscription can't be cancelled now.
#[component]
pub fn CancelStartPage() -> impl IntoView {
    let session = use_session();
    let can_cancel = Memo::new(move |_| session.with(|s| s.can(Permission::AccountCancel)));
    move || {
        if can_cancel.get() {
            view! { <CancelStart /> }.into_any()
        } else {
            view! { <CannotCancel message=None /> }.into_any()
        }
    }
}

#[component]
fn CancelStart() -> impl IntoView {
    let start = LocalResource::new(|| async {
        let flow = cancel_api::cancel_flow().await?;
        match flow.status {
            SubscriptionStatus::Active | SubscriptionStatus::Paused => {
                let run = cancel_api::start_cancel_session().await?;
                Ok::<_, ApiError>(Start::Started(run.id))
            }
            status => Ok(Start::Unavailable(status)),
        }
    });
    view! {
        <PageTitle text="Cancel subscription" />
        <LoadingRegion
            label="Starting…"
            error_title="We couldn't start the cancellation"
            on_retry=Callback::new(move |_| start.refetch())
        >
            {move || Suspend::new(async move {
                match start.await {
                    Ok(Start::Started(id)) => {
                        Ok(
                            view! {
                                <Redirect path=step_path(&id, Step::Reason) options=replace() />
                            }
                                .into_any(),
                        )
                    }
                    Ok(Start::Unavailable(status)) => {
                        Ok(view! { <NothingToCancel status /> }.into_any())
                    }
                    Err(e) if e.is_forbidden() => {
                        Ok(view! { <CannotCancel message=Some(e.message) /> }.into_any())
                    }
                    Err(e) => Err(e),
                }
            })}
        </LoadingRegion>
    }
}

/// For users without `account:cancel`.
#[component]
fn CannotCancel(message: Option<String>) -> impl IntoView {
    let message = message.unwrap_or_else(|| {
        "Only the account owner (and admins, unless the owner reserved it) can cancel the subscription.".into()
    });
    view! {
        <PageTitle text="Cancel subscription" />
        <section class="card card--notice" aria-labelledby="cannot-cancel-heading">
            <h1 class="page__title" id="cannot-cancel-heading">
                "You can't cancel this subscription"
            </h1>
            <p>{message}</p>
            <p>
                <a class="button button--secondary" href=BILLING_PATH>
                    "Back to Plans & Billing"
                </a>
            </p>
        </section>
    }
}

/// When the subscription's state leaves nothing to cancel right now.
#[component]
fn NothingToCancel(status: SubscriptionStatus) -> impl IntoView {
    let (title, text, link, label) = match status {
        SubscriptionStatus::CancelScheduled => (
            "Your subscription is already scheduled to cancel",
            "It ends at the end of the billing period. Changed your mind? Resume it on Plans & Billing.",
            BILLING_PATH,
            "Back to Plans & Billing",
        ),
        SubscriptionStatus::Canceled | SubscriptionStatus::Deleted => (
            "Your subscription has ended",
            "There is nothing left to cancel.",
            BILLING_PATH,
            "Back to Plans & Billing",
        ),
        _ => (
            "Pay the open invoice first",
            "The subscription can be cancelled once the open invoice is paid.",
            "/billing/payment",
            "Manage payment",
        ),
    };
    view! {
        <section class="card card--notice" aria-labelledby="nothing-to-cancel-heading">
            <h1 class="page__title" id="nothing-to-cancel-heading">
                {title}
            </h1>
            <p>{text}</p>
            <p>
                <a class="button button--secondary" href=link>
                    {label}
                </a>
            </p>
        </section>
    }
}

/// What the wizard frame loads: the flow, the run as the API knows it, and
/// the catalog (prices the steps quote).
#[derive(Clone)]
struct WizardData {
    flow: CancelFlowView,
    session: CancelSession,
    finished: bool,
    catalog: Catalog,
}

/// `GET /api/cancel-flow`, then the run's reason sent again (if one was
/// chosen in this tab) to get its offers back. A finished run is a 409.
async fn load_wizard(session_id: String, catalog: CatalogContext) -> Result<WizardData, ApiError> {
    let flow = cancel_api::cancel_flow().await?;
    let catalog = catalog.get().await?;
    let blank = CancelSession {
        id: session_id.clone(),
        reason: None,
        reason_text: None,
        offers: vec![],
    };
    let finished = read_stored::<bool>(&key(&session_id, "finished")).unwrap_or(false);
    let reason = read_stored::<ChooseReasonRequest>(&key(&session_id, "reason"));
    let Some(reason) = reason.filter(|_| !finished) else {
        return Ok(WizardData {
            flow,
            session: blank,
            finished,
            catalog,
        });
    };
    match cancel_api::choose_cancel_reason(&session_id, &reason).await {
        Ok(session) => Ok(WizardData {
            flow,
            session,
            finished: false,
            catalog,
        }),
        Err(e) if e.status == Some(409) && e.code == "session_finished" => Ok(WizardData {
            flow,
            session: CancelSession {
                reason: Some(reason.reason),
                reason_text: reason.text,
                ..blank
            },
            finished: true,
            catalog,
        }),
        Err(e) => Err(e),
    }
}

/// `/billing/cancel/:session`: loads the run once and shows its current
/// step (the child route) below; moving between steps keeps what it loaded.
#[component]
pub fn CancelWizardPage() -> impl IntoView {
    let params = use_params_map();
    let session_id = Memo::new(move |_| params.read().get("session").unwrap_or_default());
    let catalog = use_catalog();
    let wizard = LocalResource::new(move || load_wizard(session_id.get(), catalog));

    view! {
        <div class="page wizard">
            <Transition fallback=|| {
                view! {
                    <PageTitle text="Cancel subscription" />
                    <LoadingView label="Loading…" />
                }
            }>
                <ErrorBoundary fallback=move |errors| {
                    view! {
                        <PageTitle text="Cancel subscription" />
                        <ErrorView
                            title="We couldn't load the cancellation"
                            message=Signal::derive(move || errors_message(&errors.read()))
                            on_retry=Callback::new(move |_| {
                                catalog.retry();
                                wizard.refetch();
                            })
                        />
                    }
                }>
                    {move || Suspend::new(async move {
                        match wizard.await {
                            Ok(data) => Ok(view! { <WizardFrame data /> }.into_any()),
                            Err(e) if e.status == Some(404) => {
                                Ok(
                                    view! {
                                        <PageTitle text="Cancellation not found" />
                                        <NotFoundNotice
                                            title="Cancellation not found"
                                            message="There is no such cancellation in your account. Start again from Plans & Billing."
                                            back_href=BILLING_PATH
                                            back_label="Back to Plans & Billing"
                                        />
                                    }
                                        .into_any(),
                                )
                            }
                            Err(e) if e.is_forbidden() => {
                                Ok(view! { <CannotCancel message=Some(e.message) /> }.into_any())
                            }
                            Err(e) => Err(e),
                        }
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

/// Provides the run to the steps and shows the current one.
#[component]
fn WizardFrame(data: WizardData) -> impl IntoView {
    let WizardData {
        flow,
        session,
        finished,
        catalog,
    } = data;
    provide_context(CancelWizard::new(flow, session, finished, catalog));
    view! { <Outlet /> }
}
