//! The cancel wizard (SPEC §5): where a run starts (`/billing/cancel`), the
//! frame its steps share (`/billing/cancel/:session/…`), and what the steps
//! know of the run.
//!
//! One step per screen, each with its own address, so reload, Back and
//! Forward work. The run's reason and offers live in the API's session; the
//! API has no read of a session, so the reason is also kept in the tab's
//! `sessionStorage` and sent again after a reload to get the offers back.
//! The acknowledged consequences and an accepted offer's outcome are kept
//! there too. Nothing changes until the final confirmation.

use crate::api::cancel as cancel_api;
use crate::api::ApiError;
use crate::components::cancel_stepper::CancelStepper;
use crate::components::error_view::{errors_message, ErrorView};
use crate::components::loading_view::LoadingView;
use crate::components::not_found_notice::NotFoundNotice;
use crate::components::page_title::PageTitle;
use crate::state::session::use_session;
use billing_domain::cancel_flow::{Offer, OfferKind};
use billing_domain::wire::{CancelFlowView, CancelSession, ChooseReasonRequest};
use billing_domain::{Permission, SubscriptionStatus};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_params_map;
use leptos_router::NavigateOptions;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Plans & Billing: where "Keep my subscription" and every way out lead.
pub const BILLING_PATH: &str = "/billing";

/// A step of the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Why are you cancelling?
    Reason,
    /// The offers for that reason.
    Offers,
    /// Pause instead?
    Pause,
    /// What happens when you cancel: each consequence acknowledged.
    Consequences,
    /// Type CONFIRM.
    Confirm,
    /// Contract plans: talk to your Customer Success Manager.
    CustomerSuccess,
}

impl Step {
    /// The step's part of the address.
    pub fn slug(self) -> &'static str {
        match self {
            Step::Reason => "reason",
            Step::Offers => "offers",
            Step::Pause => "pause",
            Step::Consequences => "consequences",
            Step::Confirm => "confirm",
            Step::CustomerSuccess => "customer-success",
        }
    }

    /// The step's name in the progress indicator.
    pub fn name(self) -> &'static str {
        match self {
            Step::Reason => "Reason",
            Step::Offers => "Offers",
            Step::Pause => "Pause instead",
            Step::Consequences => "What happens",
            Step::Confirm => "Confirm",
            Step::CustomerSuccess => "Customer Success",
        }
    }
}

/// The steps of a run: contract plans end at Customer Success after the
/// reason; otherwise the offers step only when the reason has offers (or
/// none is chosen yet), and the pause step unless already paused.
pub fn steps_for(contract: bool, paused: bool, session: &CancelSession) -> Vec<Step> {
    if contract {
        return vec![Step::Reason, Step::CustomerSuccess];
    }
    let mut steps = vec![Step::Reason];
    let offers = visible_offers(paused, &session.offers);
    if session.reason.is_none() || !offers.is_empty() {
        steps.push(Step::Offers);
    }
    if !paused {
        steps.push(Step::Pause);
    }
    steps.extend([Step::Consequences, Step::Confirm]);
    steps
}

/// The offers worth showing: a paused subscription is not offered a pause.
pub fn visible_offers(paused: bool, offers: &[Offer]) -> Vec<Offer> {
    offers
        .iter()
        .filter(|offer| !(paused && offer.kind == OfferKind::Pause))
        .cloned()
        .collect()
}

/// What ended a run without cancelling (an accepted offer, a pause, a
/// meeting request), shown on the "kept" screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The screen's heading.
    pub title: String,
    /// The API's sentence, or ours.
    pub message: String,
}

/// One run of the wizard, as every step reads it: the flow's content, the
/// API's session (reason and offers) and whether the run already ended.
#[derive(Debug, Clone, Copy)]
pub struct CancelWizard {
    flow: StoredValue<CancelFlowView>,
    session: RwSignal<CancelSession>,
    finished: bool,
}

impl CancelWizard {
    /// The run's id.
    pub fn id(&self) -> String {
        self.session.with_untracked(|s| s.id.clone())
    }

    /// Reads the flow's content (reasons, consequences, prices, policies).
    pub fn flow<R>(&self, f: impl FnOnce(&CancelFlowView) -> R) -> R {
        self.flow.with_value(f)
    }

    /// Whether the subscription is on a contract plan.
    pub fn contract(&self) -> bool {
        self.flow(|f| f.contract)
    }

    /// Whether the subscription is paused already.
    pub fn paused(&self) -> bool {
        self.flow(|f| f.status == SubscriptionStatus::Paused)
    }

    /// The API's session: the chosen reason and its offers.
    pub fn session(&self) -> RwSignal<CancelSession> {
        self.session
    }

    /// Whether the run already ended (cancelled, or an offer accepted).
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The steps of this run, following the chosen reason.
    pub fn steps(&self) -> Vec<Step> {
        let (contract, paused) = (self.contract(), self.paused());
        self.session.with(|s| steps_for(contract, paused, s))
    }

    /// The offers this run shows.
    pub fn offers(&self) -> Vec<Offer> {
        let paused = self.paused();
        self.session.with(|s| visible_offers(paused, &s.offers))
    }

    /// The step after `step` in this run (the last step is its own next).
    pub fn next(&self, step: Step) -> Step {
        let steps = self.steps();
        let at = steps.iter().position(|s| *s == step).unwrap_or(0);
        steps.get(at + 1).copied().unwrap_or(step)
    }

    /// The address of `step` in this run.
    pub fn path(&self, step: Step) -> String {
        step_path(&self.id(), step)
    }

    /// Records the API's answer to the chosen reason, and keeps the reason
    /// for a reload.
    pub fn reason_chosen(&self, session: CancelSession, request: &ChooseReasonRequest) {
        write_stored(&key(&session.id, "reason"), request);
        self.session.set(session);
    }

    /// The consequences acknowledged so far.
    pub fn acknowledged(&self) -> BTreeSet<String> {
        read_stored(&key(&self.id(), "acknowledged")).unwrap_or_default()
    }

    /// Keeps the acknowledged consequences for a reload.
    pub fn set_acknowledged(&self, ids: &BTreeSet<String>) {
        write_stored(&key(&self.id(), "acknowledged"), ids);
    }

    /// Whether every consequence shown is acknowledged.
    pub fn all_acknowledged(&self) -> bool {
        let done = self.acknowledged();
        self.flow(|f| f.consequences.iter().all(|c| done.contains(&c.id)))
    }

    /// Ends the run without cancelling: keeps the outcome for the "kept"
    /// screen, and that the run is over.
    pub fn kept(&self, outcome: &Outcome) {
        let id = self.id();
        write_stored(&key(&id, "outcome"), outcome);
        end_run(&id);
    }

    /// Ends the run by cancelling.
    pub fn cancelled(&self) {
        end_run(&self.id());
    }
}

/// The wizard of the current run, provided by [`CancelWizardPage`].
pub fn use_cancel_wizard() -> CancelWizard {
    expect_context::<CancelWizard>()
}

/// `/billing/cancel/{id}/{step}`.
pub fn step_path(session_id: &str, step: Step) -> String {
    format!("/billing/cancel/{session_id}/{}", step.slug())
}

/// `/billing/cancel/{id}/done`: the cancellation is scheduled.
pub fn done_path(session_id: &str) -> String {
    format!("/billing/cancel/{session_id}/done")
}

/// `/billing/cancel/{id}/kept`: the run ended with the subscription kept.
pub fn kept_path(session_id: &str) -> String {
    format!("/billing/cancel/{session_id}/kept")
}

/// The outcome kept for the "kept" screen of run `session_id`, if any.
pub fn stored_outcome(session_id: &str) -> Option<Outcome> {
    read_stored(&key(session_id, "outcome"))
}

/// Replace, rather than add to, the history: for redirects, so that Back
/// does not land on an address that sends the user forward again.
pub fn replace() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}

fn key(session_id: &str, what: &str) -> String {
    format!("cancel:{session_id}:{what}")
}

/// Marks run `session_id` as over (its steps then say so without asking
/// the API) and forgets its answers.
fn end_run(session_id: &str) {
    write_stored(&key(session_id, "finished"), &true);
    if let Some(storage) = storage() {
        for what in ["reason", "acknowledged"] {
            let _ = storage.remove_item(&key(session_id, what));
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

fn read_stored<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = storage()?.get_item(key).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

fn write_stored<T: Serialize>(key: &str, value: &T) {
    // Storage may be full or disabled; the wizard still works until a
    // reload, which then starts the step from what the API knows.
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(value)) {
        let _ = storage.set_item(key, &text);
    }
}

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
        <Transition fallback=|| view! { <LoadingView label="Starting…" /> }>
            <ErrorBoundary fallback=move |errors| {
                view! {
                    <ErrorView
                        title="We couldn't start the cancellation"
                        message=Signal::derive(move || errors_message(&errors.read()))
                        on_retry=Callback::new(move |_| start.refetch())
                    />
                }
            }>
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
            </ErrorBoundary>
        </Transition>
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

/// What the wizard frame loads: the flow, and the run as the API knows it.
#[derive(Clone)]
struct WizardData {
    flow: CancelFlowView,
    session: CancelSession,
    finished: bool,
}

/// `GET /api/cancel-flow`, then the run's reason sent again (if one was
/// chosen in this tab) to get its offers back. A finished run is a 409.
async fn load_wizard(session_id: String) -> Result<WizardData, ApiError> {
    let flow = cancel_api::cancel_flow().await?;
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
        });
    };
    match cancel_api::choose_cancel_reason(&session_id, &reason).await {
        Ok(session) => Ok(WizardData {
            flow,
            session,
            finished: false,
        }),
        Err(e) if e.status == Some(409) && e.code == "session_finished" => Ok(WizardData {
            flow,
            session: CancelSession {
                reason: Some(reason.reason),
                reason_text: reason.text,
                ..blank
            },
            finished: true,
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
    let wizard = LocalResource::new(move || load_wizard(session_id.get()));

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
                            on_retry=Callback::new(move |_| wizard.refetch())
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
    } = data;
    provide_context(CancelWizard {
        flow: StoredValue::new(flow),
        session: RwSignal::new(session),
        finished,
    });
    view! { <Outlet /> }
}

/// The frame of one step: progress, the heading (focused on arrival, so
/// screen readers start at the new step) and the step's content; for a
/// finished run, a note that it is over instead.
#[component]
pub fn CancelStepFrame(
    /// Which step this is.
    step: Step,
    /// The step's heading.
    heading: &'static str,
    /// The step's content and actions.
    children: Children,
) -> impl IntoView {
    let wizard = use_cancel_wizard();
    let heading_ref = NodeRef::<leptos::html::H1>::new();
    focus_on_arrival(heading_ref);
    let stepper = move || {
        let steps = wizard.steps();
        let current = steps.iter().position(|s| *s == step).unwrap_or(0);
        let names = steps.into_iter().map(Step::name).collect::<Vec<_>>();
        view! { <CancelStepper steps=names current /> }
    };
    let body = if wizard.finished() {
        view! { <RunFinished /> }.into_any()
    } else {
        children().into_any()
    };
    view! {
        <PageTitle text=heading />
        <p class="wizard__eyebrow">"Cancel your subscription"</p>
        {stepper}
        <section class="card wizard__card" aria-labelledby="cancel-step-heading">
            <h1 class="page__title" id="cancel-step-heading" tabindex="-1" node_ref=heading_ref>
                {heading}
            </h1>
            {body}
        </section>
    }
}

/// A finished run's steps: nothing more to do here.
#[component]
fn RunFinished() -> impl IntoView {
    view! {
        <p>"This cancellation is already finished: it was completed, or an offer was accepted."</p>
        <div class="wizard__actions">
            <a class="button button--primary" href=BILLING_PATH>
                "Back to Plans & Billing"
            </a>
        </div>
    }
}

/// The frame of a screen that ends a run (cancelled, or kept): a success
/// mark, the heading (focused on arrival), what happened, and the way back.
#[component]
pub fn CancelResultFrame(
    /// The heading.
    #[prop(into)]
    heading: String,
    /// What happened, and anything else to say.
    children: Children,
) -> impl IntoView {
    let heading_ref = NodeRef::<leptos::html::H1>::new();
    focus_on_arrival(heading_ref);
    view! {
        <PageTitle text=heading.clone() />
        <div class="page wizard">
            <section class="card wizard__card wizard__card--result" aria-labelledby="cancel-result-heading">
                <span class="wizard__result-mark" aria-hidden="true">
                    "✓"
                </span>
                <h1 class="page__title" id="cancel-result-heading" tabindex="-1" node_ref=heading_ref>
                    {heading}
                </h1>
                {children()}
                <div class="wizard__actions">
                    <a class="button button--primary" href=BILLING_PATH>
                        "Back to Plans & Billing"
                    </a>
                </div>
            </section>
        </div>
    }
}

/// Moves the focus to `heading` once it is in the page, so a screen reader
/// starts reading the new screen from its heading.
fn focus_on_arrival(heading: NodeRef<leptos::html::H1>) {
    Effect::new(move |_| {
        if heading.get().is_some() {
            // The element may be built before it is attached (inside a
            // <Transition>); focus it on the next frame, once it is.
            request_animation_frame(move || {
                if let Some(h1) = heading.get_untracked() {
                    let _ = h1.focus();
                }
            });
        }
    });
}

/// "Keep my subscription": the way out of every step, back to Plans &
/// Billing with nothing changed.
#[component]
pub fn KeepSubscriptionLink() -> impl IntoView {
    view! {
        <a class="button button--secondary" href=BILLING_PATH>
            "Keep my subscription"
        </a>
    }
}

/// Redirects a step that doesn't apply to this run to `step` (e.g. the
/// offers of a reason without offers), replacing it in the history.
#[component]
pub fn StepRedirect(
    /// Where to go instead.
    step: Step,
) -> impl IntoView {
    let wizard = use_cancel_wizard();
    view! { <Redirect path=wizard.path(step) options=replace() /> }
}

/// A price without zero cents, as people say it: "$1", "$1.50".
pub fn short_price(price: billing_domain::Money) -> String {
    let text = price.format();
    let exponent = price.currency().exponent();
    if exponent > 0 && price.amount() % 10i64.pow(exponent) == 0 {
        text.replacen(&format!(".{}", "0".repeat(exponent as usize)), "", 1)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use billing_domain::{Currency, Money};

    fn offer(id: &str, kind: OfferKind) -> Offer {
        Offer {
            id: id.into(),
            kind,
            title: id.into(),
            description: String::new(),
            discount_percent: None,
            discount_periods: None,
            plan: None,
        }
    }

    fn session(reason: Option<&str>, offers: Vec<Offer>) -> CancelSession {
        CancelSession {
            id: "cs_1".into(),
            reason: reason.map(str::to_string),
            reason_text: None,
            offers,
        }
    }

    #[test]
    fn the_steps_follow_the_plan_the_reason_and_the_state() {
        use Step::*;
        let with_offers = session(
            Some("too_expensive"),
            vec![
                offer("d", OfferKind::Discount),
                offer("p", OfferKind::Pause),
            ],
        );
        assert_eq!(
            steps_for(false, false, &with_offers),
            [Reason, Offers, Pause, Consequences, Confirm]
        );
        let no_offers = session(Some("other"), vec![]);
        assert_eq!(
            steps_for(false, false, &no_offers),
            [Reason, Pause, Consequences, Confirm]
        );
        // Before a reason is chosen the offers step is expected.
        assert_eq!(steps_for(false, false, &session(None, vec![])).len(), 5);
        // Paused: no pause step, and a pause offer alone is no offer.
        let only_pause = session(Some("business_closing"), vec![offer("p", OfferKind::Pause)]);
        assert_eq!(
            steps_for(false, true, &only_pause),
            [Reason, Consequences, Confirm]
        );
        assert_eq!(
            steps_for(true, false, &with_offers),
            [Reason, CustomerSuccess]
        );
    }

    #[test]
    fn prices_drop_zero_cents() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(short_price(Money::new(100, usd)), "$1");
        assert_eq!(short_price(Money::new(150, usd)), "$1.50");
        assert_eq!(short_price(Money::new(1_000_000, usd)), "$10,000");
    }
}
