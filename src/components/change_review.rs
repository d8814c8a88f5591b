//! The review step of Manage subscription: exactly the preview the user
//! saw, from what they have to what they'll have, and one button that
//! confirms it.

use crate::api::ApiError;
use crate::components::change_preview::PreviewFigures;
use crate::format;
use crate::state::catalog::Catalog;
use billing_domain::change::Terms;
use billing_domain::wire::{PaymentMethodSummary, SubscriptionPreview};
use leptos::prelude::*;

/// "Review your change", with "Confirm and pay $X" (or "Confirm change"
/// when nothing is charged) and "Back".
#[component]
pub fn ChangeReview(
    /// The preview being confirmed.
    preview: SubscriptionPreview,
    /// The subscription's terms today.
    before: Terms,
    /// The catalog, for the names of plans and add-ons.
    catalog: Catalog,
    /// The card a charge goes to.
    payment_method: Option<PaymentMethodSummary>,
    /// Whether the change is being sent; the button then waits.
    #[prop(into)]
    confirming: Signal<bool>,
    /// Why the last attempt failed, if it did.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
    /// Confirms the change.
    on_confirm: Callback<()>,
    /// Goes back to editing.
    on_back: Callback<()>,
    /// The heading, so the page can move focus to it.
    heading_ref: NodeRef<leptos::html::H2>,
) -> impl IntoView {
    let due = preview.amount_due_today;
    let charges = due.amount() > 0;
    let confirm_label = if charges {
        format!("Confirm and pay {}", due.format())
    } else {
        "Confirm change".to_string()
    };
    let card_line = charges.then(|| {
        let text = match &payment_method {
            Some(card) => format!(
                "{} will be charged to {} ending in {} when you confirm.",
                due.format(),
                card.brand.label(),
                card.last4
            ),
            None => format!("{} will be charged when you confirm.", due.format()),
        };
        view! { <p class="review__card">{text}</p> }
    });
    let after = format::terms(&catalog, &preview.terms);
    let now = format::terms(&catalog, &before);

    view! {
        <section class="card review" aria-labelledby="review-heading">
            <h2 class="review__title" id="review-heading" tabindex="-1" node_ref=heading_ref>
                "Review your change"
            </h2>
            <dl class="facts review__terms">
                <div class="facts__row">
                    <dt>"Now"</dt>
                    <dd>{now}</dd>
                </div>
                <div class="facts__row">
                    <dt>"After the change"</dt>
                    <dd>{after}</dd>
                </div>
            </dl>
            <PreviewFigures preview=preview.clone() />
            {card_line}
            {move || {
                error
                    .get()
                    .map(|e| {
                        let declined = e.kind == "card_error";
                        view! {
                            <div class="banner banner--error" role="alert">
                                <p class="banner__title">{e.message}</p>
                                {declined
                                    .then(|| {
                                        view! {
                                            <p>
                                                "Nothing was changed. "
                                                <a href="/billing/payment">"Update the payment method"</a>
                                                " and try again."
                                            </p>
                                        }
                                    })}
                            </div>
                        }
                    })
            }}
            <div class="form-actions">
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || confirming.get()
                    on:click=move |_| {
                        if !confirming.get_untracked() {
                            on_confirm.run(());
                        }
                    }
                >
                    {move || if confirming.get() { "Confirming…".to_string() } else { confirm_label.clone() }}
                </button>
                <button
                    type="button"
                    class="button button--secondary"
                    disabled=move || confirming.get()
                    on:click=move |_| on_back.run(())
                >
                    "Back"
                </button>
            </div>
        </section>
    }
}
