//! Refund and end subscription (SPEC §6), for the owner: what ending the
//! subscription today would refund and how it is computed, then `CONFIRM`
//! and "End subscription and refund". Afterwards, the refund and the new
//! state, and the way to withdraw a credited balance.

use crate::api::cancel as cancel_api;
use crate::api::ApiError;
use crate::components::card::Card;
use crate::components::loading_region::LoadingRegion;
use crate::components::page_title::PageTitle;
use crate::components::refund_quote_card::RefundQuoteCard;
use crate::components::withdraw_balance_form::WithdrawBalanceForm;
use crate::format;
use crate::state::session::use_session;
use billing_domain::refund::RefundQuote;
use billing_domain::wire::{RefundRequest, RefundResult};
use billing_domain::Permission;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// `/billing/refund`.
#[component]
pub fn RefundPage() -> impl IntoView {
    let session = use_session();
    let can_refund = Memo::new(move |_| session.with(|s| s.can(Permission::Refund)));
    view! {
        <PageTitle text="Refund and end subscription" />
        <div class="page">
            <a class="back-link" href="/billing">
                <span aria-hidden="true">"← "</span>
                "Back to Plans & Billing"
            </a>
            <header class="page__header">
                <h1 class="page__title">"Refund and end subscription"</h1>
                <p class="page__lead">
                    "End your subscription today and get back what's due for the rest of the period."
                </p>
            </header>
            {move || {
                if can_refund.get() {
                    view! { <RefundSection /> }.into_any()
                } else {
                    view! { <OwnerOnly /> }.into_any()
                }
            }}
        </div>
    }
}

/// For everyone but the owner.
#[component]
fn OwnerOnly() -> impl IntoView {
    view! {
        <section class="card card--notice" aria-labelledby="owner-only-heading">
            <h2 class="card__title" id="owner-only-heading">
                "Only the account owner can request a refund"
            </h2>
            <p>"Ask the account owner if the subscription should end with a refund."</p>
        </section>
    }
}

/// `GET /api/refunds`, with the retention from `GET /api/cancel-flow`.
#[component]
fn RefundSection() -> impl IntoView {
    let quote = LocalResource::new(|| async {
        let quote = cancel_api::refund_quote().await?;
        let retention_days = cancel_api::cancel_flow().await?.retention_days;
        Ok::<_, ApiError>((quote, retention_days))
    });
    view! {
        <LoadingRegion
            label="Working out your refund…"
            cards=2
            error_title="We couldn't work out your refund"
            on_retry=Callback::new(move |_| quote.refetch())
        >
            {move || Suspend::new(async move {
                match quote.await {
                    Ok((quote, retention_days)) => {
                        Ok(view! { <RefundForm quote retention_days /> }.into_any())
                    }
                    Err(e) if e.status == Some(409) || e.is_forbidden() => {
                        Ok(
                            view! {
                                <section class="card card--notice" aria-labelledby="no-refund-heading">
                                    <h2 class="card__title" id="no-refund-heading">
                                        "There is nothing to refund"
                                    </h2>
                                    <p>{e.message}</p>
                                </section>
                            }
                                .into_any(),
                        )
                    }
                    Err(e) => Err(e),
                }
            })}
        </LoadingRegion>
    }
}

/// The quote, then the confirmation; after it, the result.
#[component]
fn RefundForm(quote: RefundQuote, retention_days: u32) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let refund = Action::new_local(move |confirmation: &String| {
        let body = RefundRequest {
            confirmation: confirmation.clone(),
        };
        async move { cancel_api::request_refund(&body).await }
    });
    let pending = refund.pending();
    let error = Memo::new(move |_| match refund.value().get() {
        Some(Err(e)) if !pending.get() => Some(e),
        _ => None,
    });
    let field_error = move || error.get().and_then(|e| e.message_for("confirmation"));
    let form_error = move || {
        error
            .get()
            .and_then(|e| e.message_except(&["confirmation"]))
    };
    let result = move || match refund.value().get() {
        Some(Ok(result)) => Some(result),
        _ => None,
    };
    Effect::new(move |_| {
        if field_error().is_some() {
            if let Some(input) = input_ref.get() {
                let _ = input.focus();
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            refund.dispatch(typed.get_untracked());
        }
    };

    let goes_to = refund_sources(&quote);
    let warning = format!(
        "This ends your subscription today: everyone but you loses access at once, and {goes_to}. Your data is kept for {} so you can reactivate with a card; after that it is deleted.",
        format::days(i64::from(retention_days)),
    );

    view! {
        <div class="refund-layout">
            <RefundQuoteCard quote />
            <div class="form-outcome" role="status" aria-live="polite">
                {move || result().map(|result| view! { <RefundDone result /> })}
            </div>
            // Outside the announced region: a form, not part of the news.
            {move || {
                result()
                    .map(|result| result.overview.credit_balance)
                    .filter(|balance| balance.amount() > 0)
                    .map(|balance| {
                        view! {
                            <Card title="Credit balance" heading_id="refund-balance-heading">
                                <WithdrawBalanceForm balance />
                            </Card>
                        }
                    })
            }}
            {move || {
                result()
                    .is_none()
                    .then(|| {
                        let warning = warning.clone();
                        view! {
                            <Card title="End subscription and refund" heading_id="refund-confirm-heading">
                                <p>{warning}</p>
                                {move || {
                                    form_error()
                                        .map(|message| {
                                            view! {
                                                <p class="banner banner--error" role="alert">
                                                    {message}
                                                </p>
                                            }
                                        })
                                }}
                                <form class="form card-form" novalidate on:submit=on_submit>
                                    <div class="field confirm-field">
                                        <label class="field__label" for="refund-confirmation">
                                            "Type CONFIRM to end your subscription"
                                        </label>
                                        <input
                                            id="refund-confirmation"
                                            type="text"
                                            class="input confirm-field__input"
                                            autocomplete="off"
                                            autocapitalize="characters"
                                            spellcheck="false"
                                            node_ref=input_ref
                                            prop:value=move || typed.get()
                                            on:input=move |ev| typed.set(event_target_value(&ev))
                                            aria-invalid=move || field_error().map(|_| "true")
                                            aria-describedby=move || {
                                                field_error().map(|_| "refund-confirmation-error")
                                            }
                                        />
                                        {move || {
                                            field_error()
                                                .map(|message| {
                                                    view! {
                                                        <p class="field__error" id="refund-confirmation-error" role="alert">
                                                            {message}
                                                        </p>
                                                    }
                                                })
                                        }}
                                    </div>
                                    <div class="form-actions">
                                        <button
                                            type="submit"
                                            class="button button--danger"
                                            disabled=move || pending.get()
                                        >
                                            "End subscription and refund"
                                        </button>
                                        <a class="button button--secondary" href="/billing">
                                            "Keep my subscription"
                                        </a>
                                    </div>
                                </form>
                            </Card>
                        }
                    })
            }}
        </div>
    }
}

/// Where the refund's money goes: "$661.54 to your card and $406.46 to your credit balance".
fn refund_sources(quote: &billing_domain::refund::RefundQuote) -> String {
    let mut parts = Vec::new();
    if !quote.to_card.is_zero() {
        parts.push(format!("{} goes back to your card", quote.to_card.format()));
    }
    if !quote.to_balance.is_zero() || parts.is_empty() {
        parts.push(format!(
            "{} goes to your credit balance",
            quote.to_balance.format()
        ));
    }
    parts.join(" and ")
}

/// What the refund did: the amount and where it went, and the ended state.
#[component]
fn RefundDone(result: RefundResult) -> impl IntoView {
    let RefundResult { refund, overview } = result;
    let headline = format!("Done: {}.", refund_sources(&refund));
    let kept = overview
        .data_deleted_at
        .map(|at| {
            format!(
                "Your data is kept until {}; until then you can reactivate with a card on Manage payment.",
                format::date(at)
            )
        })
        .unwrap_or_default();
    view! {
        <div class="banner banner--success">
            <p class="banner__title">"Your subscription has ended."</p>
            <p>{headline}</p>
            <p>{kept}</p>
        </div>
    }
}
