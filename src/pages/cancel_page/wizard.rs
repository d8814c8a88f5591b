//! What the steps know of a run of the cancel wizard: its steps, the
//! flow's content, the API's session, the catalog, and what the tab keeps
//! in `sessionStorage` so a reload picks up where the user was.

use crate::state::catalog::Catalog;
use billing_domain::cancel_flow::{Offer, OfferKind};
use billing_domain::wire::{CancelFlowView, CancelSession, ChooseReasonRequest};
use billing_domain::SubscriptionStatus;
use leptos::prelude::*;
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
    catalog: StoredValue<Catalog>,
}

impl CancelWizard {
    /// A run with what the wizard frame loaded.
    pub(super) fn new(
        flow: CancelFlowView,
        session: CancelSession,
        finished: bool,
        catalog: Catalog,
    ) -> CancelWizard {
        CancelWizard {
            flow: StoredValue::new(flow),
            session: RwSignal::new(session),
            finished,
            catalog: StoredValue::new(catalog),
        }
    }

    /// The run's id.
    pub fn id(&self) -> String {
        self.session.with_untracked(|s| s.id.clone())
    }

    /// Reads the flow's content (reasons, consequences, prices, policies).
    pub fn flow<R>(&self, f: impl FnOnce(&CancelFlowView) -> R) -> R {
        self.flow.with_value(f)
    }

    /// The catalog (the pause price, plan names).
    pub fn catalog(&self) -> Catalog {
        self.catalog.get_value()
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

/// The wizard of the current run, provided by
/// [`CancelWizardPage`](super::CancelWizardPage).
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

pub(super) fn key(session_id: &str, what: &str) -> String {
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

pub(super) fn read_stored<T: DeserializeOwned>(key: &str) -> Option<T> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
