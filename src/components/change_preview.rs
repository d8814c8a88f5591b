//! What a proposed change does, in the API's own figures: due today, each
//! line, credit used or created, what waits for the renewal, and the
//! renewal itself. Used live beside the editor and again on the review step.

use crate::api::ApiError;
use crate::components::money_amount::MoneyAmount;
use crate::format;
use billing_domain::change::Pending;
use billing_domain::wire::{PaymentMethodSummary, SubscriptionPreview};
use billing_domain::Interval;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Where the live preview stands.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewState {
    /// Nothing differs from the subscription as it is.
    Unchanged,
    /// The seat count typed is not one the account may have (the stepper
    /// says why).
    Invalid,
    /// A preview is on its way; the previous answer, if any, stays shown.
    Loading(Option<SubscriptionPreview>),
    /// The API's figures for the change as it stands.
    Ready(SubscriptionPreview),
    /// The API refused the change (a field's message, or a reason).
    Failed(ApiError),
}

impl PreviewState {
    /// The preview to review, once the latest one has arrived.
    pub fn ready(&self) -> Option<&SubscriptionPreview> {
        match self {
            PreviewState::Ready(preview) => Some(preview),
            _ => None,
        }
    }

    /// The API's message about request field `param`, if it refused one.
    pub fn error_about(&self, param: &str) -> Option<String> {
        match self {
            PreviewState::Failed(e) if e.is_about(param) => Some(e.message.clone()),
            _ => None,
        }
    }
}

/// The live preview panel: heading "Your change", the figures (a polite
/// live region), and `children` below them (the "Review change" button).
#[component]
pub fn ChangePreview(
    /// The preview's state.
    #[prop(into)]
    state: Signal<PreviewState>,
    /// Shown under the figures.
    children: Children,
) -> impl IntoView {
    let loading = move || state.with(|s| matches!(s, PreviewState::Loading(_)));
    let body = move || match state.get() {
        PreviewState::Unchanged => view! {
            <p class="empty-state">
                "Choose a new plan, interval, seat count or add-ons to see the cost."
            </p>
        }
        .into_any(),
        PreviewState::Invalid => {
            view! { <p class="empty-state">"Fix the seat count to see the cost."</p> }.into_any()
        }
        PreviewState::Loading(None) => view! {
            <p class="loading__label">
                <span class="spinner" aria-hidden="true"></span>
                "Calculating the cost…"
            </p>
        }
        .into_any(),
        PreviewState::Loading(Some(preview)) | PreviewState::Ready(preview) => {
            view! { <PreviewFigures preview /> }.into_any()
        }
        PreviewState::Failed(e) if e.param.is_some() => view! {
            <p class="empty-state">"Fix the highlighted choice to see the cost."</p>
        }
        .into_any(),
        PreviewState::Failed(e) => view! {
            <p class="banner banner--error">{e.message}</p>
        }
        .into_any(),
    };
    view! {
        <section class="card preview-panel" aria-labelledby="change-preview-heading">
            <div class="preview-panel__header">
                <h2 class="card__title" id="change-preview-heading">
                    "Your change"
                </h2>
                <span class="preview-panel__updating" class:is-visible=loading aria-hidden="true">
                    <span class="spinner"></span>
                    "Updating"
                </span>
            </div>
            <div
                class="preview-panel__body"
                class:preview-panel__body--stale=loading
                role="status"
                aria-live="polite"
                aria-busy=move || loading().to_string()
            >
                {body}
            </div>
            {children()}
        </section>
    }
}

/// The figures of one preview.
#[component]
pub fn PreviewFigures(
    /// The API's preview.
    preview: SubscriptionPreview,
) -> impl IntoView {
    let renewal = &preview.next_renewal;
    let mut less = Vec::new();
    if !renewal.discount.is_zero() {
        less.push(format!("{} retention discount", renewal.discount.format()));
    }
    if !renewal.credit_applied.is_zero() {
        less.push(format!("{} of credit", renewal.credit_applied.format()));
    }
    let renewal_text = if less.is_empty() {
        format!(
            "Next renewal on {}: {}",
            format::date(renewal.date),
            renewal.amount.format()
        )
    } else {
        format!(
            "Next renewal on {}: {} ({} less {})",
            format::date(renewal.date),
            renewal.amount.format(),
            renewal.price.format(),
            less.join(" and ")
        )
    };
    let lines = (!preview.lines.is_empty()).then(|| {
        view! {
            <ul class="preview-lines" aria-label="Today's charges and credits">
                {preview
                    .lines
                    .iter()
                    .map(|line| {
                        view! {
                            <li class="preview-lines__item">
                                <span>{line.description.clone()}</span>
                                <MoneyAmount money=line.amount />
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    });
    let credit_applied = (!preview.credit_applied.is_zero()).then(|| {
        view! {
            <p class="preview-note">
                "Paid from your credit balance: "
                <MoneyAmount money=preview.credit_applied />
            </p>
        }
    });
    let credit_created = (!preview.credit_created.is_zero()).then(|| {
        view! {
            <p class="preview-note preview-note--credit">
                "Added to your credit balance: "
                <MoneyAmount money=preview.credit_created />
            </p>
        }
    });
    let pending = pending_sentences(&preview.pending, renewal.date);
    let pending = (!pending.is_empty()).then(|| {
        view! {
            <ul class="preview-pending" aria-label="At your next renewal">
                {pending.into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
            </ul>
        }
    });
    let restarts = preview
        .restarts_period
        .then(|| view! { <p class="preview-note">"Your new annual period starts today."</p> });
    let unit = match preview.pending.interval.unwrap_or(preview.terms.interval) {
        Interval::Month => "a month",
        Interval::Year => "a year",
    };
    view! {
        <div class="preview-figures">
            <p class="preview-due">
                <span class="preview-due__label">"Due today: "</span>
                <MoneyAmount money=preview.amount_due_today class="money--large" />
            </p>
            {lines}
            {credit_applied}
            {credit_created}
            {restarts}
            {pending}
            <p class="preview-renewal">{renewal_text}</p>
            <p class="muted">
                {format!("New price: {} {unit}.", preview.next_renewal.price.format())}
            </p>
        </div>
    }
}

/// What waits for the renewal on `at`, a sentence each: "Seats drop to 10
/// on Dec 22, 2026", "Switches to monthly billing on Dec 22, 2026".
pub fn pending_sentences(pending: &Pending, at: DateTime<Utc>) -> Vec<String> {
    let date = format::date(at);
    let mut sentences = Vec::new();
    if let Some(seats) = pending.seats {
        sentences.push(format!("Seats drop to {seats} on {date}"));
    }
    if let Some(interval) = pending.interval {
        sentences.push(format!(
            "Switches to {} billing on {date}",
            interval.label().to_lowercase()
        ));
    }
    sentences
}

/// What a confirmed change did, e.g. "Your subscription was updated.
/// $208.50 was charged to Visa ending in 4242."
pub fn change_outcome(change: &SubscriptionPreview, card: Option<&PaymentMethodSummary>) -> String {
    let mut text = vec!["Your subscription was updated.".to_string()];
    if change.amount_due_today.amount() > 0 {
        text.push(match card {
            Some(card) => format!(
                "{} was charged to {} ending in {}.",
                change.amount_due_today.format(),
                card.brand.label(),
                card.last4
            ),
            None => format!("{} was charged.", change.amount_due_today.format()),
        });
    }
    if !change.credit_applied.is_zero() {
        text.push(format!(
            "{} of your credit balance was used.",
            change.credit_applied.format()
        ));
    }
    if !change.credit_created.is_zero() {
        text.push(format!(
            "{} was added to your credit balance.",
            change.credit_created.format()
        ));
    }
    if change.restarts_period {
        text.push("Your new annual period starts today.".into());
    }
    text.extend(
        pending_sentences(&change.pending, change.next_renewal.date)
            .into_iter()
            .map(|sentence| format!("{sentence}.")),
    );
    text.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use billing_domain::change::Terms;
    use billing_domain::wire::{CardBrand, NextRenewal};
    use billing_domain::{Currency, Money, PlanId};
    use chrono::TimeZone;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::parse("USD").unwrap())
    }

    fn preview() -> SubscriptionPreview {
        let renewal = Utc.with_ymd_and_hms(2026, 12, 22, 0, 0, 0).unwrap();
        SubscriptionPreview {
            amount_due_today: usd(20_850),
            credit_applied: usd(0),
            credit_created: usd(0),
            credit_balance_after: usd(0),
            lines: vec![],
            next_renewal: NextRenewal {
                date: renewal,
                amount: usd(208_500),
                price: usd(208_500),
                discount: usd(0),
                credit_applied: usd(0),
            },
            proration_date: renewal - chrono::Duration::days(15),
            terms: Terms::new(PlanId::Business, Interval::Month, 15, vec![]),
            pending: Pending::default(),
            restarts_period: false,
        }
    }

    fn visa() -> PaymentMethodSummary {
        PaymentMethodSummary {
            brand: CardBrand::Visa,
            last4: "4242".into(),
            exp_month: 12,
            exp_year: 2034,
        }
    }

    #[test]
    fn a_charge_names_the_card() {
        assert_eq!(
            change_outcome(&preview(), Some(&visa())),
            "Your subscription was updated. $208.50 was charged to Visa ending in 4242."
        );
    }

    #[test]
    fn credit_and_pending_changes_are_said_too() {
        let downgrade = SubscriptionPreview {
            amount_due_today: usd(0),
            credit_created: usd(20_000),
            ..preview()
        };
        assert_eq!(
            change_outcome(&downgrade, Some(&visa())),
            "Your subscription was updated. $200.00 was added to your credit balance."
        );
        let fewer_seats = SubscriptionPreview {
            amount_due_today: usd(0),
            pending: Pending {
                seats: Some(10),
                interval: Some(Interval::Month),
            },
            ..preview()
        };
        assert_eq!(
            change_outcome(&fewer_seats, None),
            "Your subscription was updated. Seats drop to 10 on Dec 22, 2026. Switches to monthly billing on Dec 22, 2026."
        );
    }
}
