//! Step 2 of the cancel wizard: "Before you go", the offers configured for
//! the chosen reason. Accepting one applies it through the API and ends the
//! run; "Continue cancellation" moves on in one click.

use crate::api::cancel as cancel_api;
use crate::api::ApiError;
use crate::pages::cancel_page::{
    kept_path, use_cancel_wizard, CancelStepFrame, KeepSubscriptionLink, Outcome, Step,
    StepRedirect,
};
use billing_domain::cancel_flow::{Offer, OfferKind};
use billing_domain::wire::{AcceptOfferRequest, OfferOutcome};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// `/billing/cancel/:session/offers`.
#[component]
pub fn CancelOffersPage() -> impl IntoView {
    let wizard = use_cancel_wizard();
    // A finished run shows its steps' frame, which says it is over.
    let has_reason = wizard.finished() || wizard.session().with_untracked(|s| s.reason.is_some());
    let offers = wizard.offers();
    if !has_reason {
        return view! { <StepRedirect step=Step::Reason /> }.into_any();
    }
    if offers.is_empty() && !wizard.finished() {
        return view! { <StepRedirect step=wizard.next(Step::Offers) /> }.into_any();
    }
    view! { <OffersStep offers /> }.into_any()
}

#[component]
fn OffersStep(offers: Vec<Offer>) -> impl IntoView {
    let wizard = use_cancel_wizard();
    let navigate = use_navigate();

    let accept = Action::new_local(move |offer: &Offer| {
        let offer = offer.clone();
        let id = wizard.id();
        async move {
            let request = AcceptOfferRequest {
                offer_id: offer.id.clone(),
            };
            let outcome = cancel_api::accept_cancel_offer(&id, &request).await?;
            Ok::<(OfferKind, OfferOutcome), ApiError>((offer.kind, outcome))
        }
    });
    let pending = accept.pending();
    let accepting = move || accept.input().get().map(|offer| offer.id);
    let error = move || match accept.value().get() {
        Some(Err(e)) if !pending.get() => Some(e.message),
        _ => None,
    };

    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if let Some(Ok((kind, outcome))) = accept.value().get() {
                wizard.kept(&Outcome {
                    title: outcome_title(kind).into(),
                    message: outcome.message,
                });
                navigate(&kept_path(&wizard.id()), NavigateOptions::default());
            }
        });
    }

    let next = wizard.path(wizard.next(Step::Offers));
    let on_continue = move |_| navigate(&next, NavigateOptions::default());

    let cards = offers
        .into_iter()
        .map(|offer| {
            let heading_id = format!("offer-{}-heading", offer.id);
            let labelled_by = heading_id.clone();
            let label = accept_label(&offer);
            let id = offer.id.clone();
            let busy = move || accepting().as_deref() == Some(id.as_str()) && pending.get();
            let detail = offer_detail(&offer);
            view! {
                <li class="offer-list__item">
                <article class="offer" aria-labelledby=labelled_by>
                    <span class=format!("offer__icon offer__icon--{}", kind_class(offer.kind)) aria-hidden="true">
                        {kind_mark(offer.kind)}
                    </span>
                    <div class="offer__text">
                        <h2 class="offer__title" id=heading_id>
                            {offer.title.clone()}
                        </h2>
                        <p class="muted">{offer.description.clone()}</p>
                        {detail.map(|d| view! { <p class="offer__detail">{d}</p> })}
                    </div>
                    <button
                        type="button"
                        class="button button--secondary offer__action"
                        disabled=move || pending.get()
                        on:click={
                            let offer = offer.clone();
                            move |_| {
                                if !pending.get_untracked() {
                                    accept.dispatch(offer.clone());
                                }
                            }
                        }
                    >
                        {move || if busy() { "Applying…".to_string() } else { label.clone() }}
                    </button>
                </article>
                </li>
            }
        })
        .collect_view();

    view! {
        <CancelStepFrame step=Step::Offers heading="Before you go">
            <p class="page__lead">
                "Based on your reason, one of these might suit you better. Accepting an offer keeps your subscription and ends the cancellation; nothing else changes."
            </p>
            {move || {
                error()
                    .map(|message| {
                        view! {
                            <p class="banner banner--error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
            <ul class="offer-list">{cards}</ul>
            <div class="wizard__actions">
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || pending.get()
                    on:click=on_continue
                >
                    "Continue cancellation"
                </button>
                <KeepSubscriptionLink />
            </div>
        </CancelStepFrame>
    }
}

/// The accept button's label: what it does, in neutral words.
fn accept_label(offer: &Offer) -> String {
    match offer.kind {
        OfferKind::Discount => "Accept offer".into(),
        // The configured title says it ("Switch to Essentials", "Pause for
        // $1 a month").
        OfferKind::Downgrade | OfferKind::Pause => offer.title.clone(),
        OfferKind::Meeting => "Request a meeting".into(),
    }
}

/// A line of specifics under the description, where the offer has them.
fn offer_detail(offer: &Offer) -> Option<String> {
    match (offer.kind, offer.discount_percent, offer.discount_periods) {
        (OfferKind::Discount, Some(percent), Some(1)) => {
            Some(format!("{percent}% off your next month of service."))
        }
        (OfferKind::Discount, Some(percent), Some(periods)) => {
            Some(format!("{percent}% off each of your next {periods} months of service (on yearly billing, that share of the year)."))
        }
        (OfferKind::Downgrade, ..) => Some(
            "Applied today like any plan change: the unused difference becomes credit for your next invoices."
                .into(),
        ),
        _ => None,
    }
}

/// The "kept" screen's heading after accepting an offer of `kind`.
fn outcome_title(kind: OfferKind) -> &'static str {
    match kind {
        OfferKind::Discount | OfferKind::Downgrade => "Your subscription continues",
        OfferKind::Meeting => "Meeting requested",
        OfferKind::Pause => "Your subscription is paused",
    }
}

fn kind_class(kind: OfferKind) -> &'static str {
    match kind {
        OfferKind::Discount => "discount",
        OfferKind::Downgrade => "downgrade",
        OfferKind::Meeting => "meeting",
        OfferKind::Pause => "pause",
    }
}

fn kind_mark(kind: OfferKind) -> &'static str {
    match kind {
        OfferKind::Discount => "%",
        OfferKind::Downgrade => "↓",
        OfferKind::Meeting => "☎",
        OfferKind::Pause => "❚❚",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_what_the_button_does() {
        let offer = |kind, title: &str| Offer {
            id: "o".into(),
            kind,
            title: title.into(),
            description: String::new(),
            discount_percent: Some(25),
            discount_periods: Some(3),
            plan: None,
        };
        assert_eq!(
            accept_label(&offer(OfferKind::Discount, "25% off")),
            "Accept offer"
        );
        assert_eq!(
            accept_label(&offer(OfferKind::Downgrade, "Switch to Essentials")),
            "Switch to Essentials"
        );
        assert_eq!(
            accept_label(&offer(OfferKind::Meeting, "Talk to us")),
            "Request a meeting"
        );
        assert_eq!(
            offer_detail(&offer(OfferKind::Discount, "")).as_deref(),
            Some("25% off each of your next 3 months of service (on yearly billing, that share of the year).")
        );
    }
}
