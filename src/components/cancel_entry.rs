//! The bottom of Plans & Billing (SPEC §5, §6): "Cancel subscription" for
//! users who may cancel, and for the owner "Refund and end subscription" and
//! "Withdraw credit balance". Users who may do none of these see nothing.

use crate::api;
use crate::components::error_view::errors_message;
use crate::components::withdraw_balance_form::WithdrawBalanceForm;
use crate::format;
use crate::state::catalog::{use_catalog, Catalog};
use crate::state::overview_revision::use_overview_revision;
use crate::state::session::use_session;
use billing_domain::wire::BillingOverview;
use billing_domain::{Permission, SubscriptionStatus};
use leptos::prelude::*;

/// Where the cancel wizard starts.
const CANCEL_PATH: &str = "/billing/cancel";
/// Where the owner reviews a refund.
const REFUND_PATH: &str = "/billing/refund";

/// "Cancellation and refunds": the ways to end the subscription (or take
/// the credit out) that the signed-in user has, for the current state. Reads
/// `GET /api/billing/overview` itself, again whenever the overview revision
/// changes (e.g. after "Resume subscription").
#[component]
pub fn CancelEntry() -> impl IntoView {
    let session = use_session();
    let can_cancel = Memo::new(move |_| session.with(|s| s.can(Permission::AccountCancel)));
    let can_refund = Memo::new(move |_| session.with(|s| s.can(Permission::Refund)));
    let revision = use_overview_revision();
    let catalog = use_catalog();

    move || {
        if !can_cancel.get() && !can_refund.get() {
            return ().into_any();
        }
        let overview = LocalResource::new(move || {
            revision.track();
            api::billing_overview()
        });
        view! {
            <Transition fallback=|| ()>
                <ErrorBoundary fallback=move |errors| {
                    view! {
                        <p class="banner banner--error" role="alert">
                            "We couldn't check how you can cancel: "
                            {errors_message(&errors.read())}
                            " "
                            <button
                                type="button"
                                class="button button--secondary button--small"
                                on:click=move |_| {
                                    catalog.retry();
                                    overview.refetch();
                                }
                            >
                                "Try again"
                            </button>
                        </p>
                    }
                }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(overview) => {
                                let catalog = catalog.get().await?;
                                Ok(
                                    view! { <EntryRows overview catalog can_cancel can_refund /> }
                                        .into_any(),
                                )
                            }
                            // The overview above says why (no access, or the
                            // subscription ended for everyone but the owner).
                            Err(e) if e.is_forbidden() => Ok(().into_any()),
                            Err(e) => Err(e),
                        }
                    })}
                </ErrorBoundary>
            </Transition>
        }
        .into_any()
    }
}

/// The rows that apply to `overview` and the user.
#[component]
fn EntryRows(
    overview: BillingOverview,
    catalog: Catalog,
    can_cancel: Memo<bool>,
    can_refund: Memo<bool>,
) -> impl IntoView {
    use SubscriptionStatus::*;
    let status = overview.status;
    let balance = overview.credit_balance;
    let contract = overview.contract;

    let withdraw = (can_refund.get_untracked() && balance.amount() > 0).then(|| {
        view! {
            <div class="settings-row">
                <div class="settings-row__text">
                    <h3 class="settings-row__title">"Credit balance"</h3>
                    <WithdrawBalanceForm balance />
                </div>
            </div>
        }
    });

    let refund = (can_refund.get_untracked()
        && !contract
        && matches!(status, Active | Paused | CancelScheduled))
    .then(|| {
        view! {
            <div class="settings-row">
                <div class="settings-row__text">
                    <h3 class="settings-row__title">"Refund and end subscription"</h3>
                    <p class="muted">{refund_text(catalog.refund_window_days)}</p>
                </div>
                <a class="button button--secondary" href=REFUND_PATH>
                    "Review refund"
                </a>
            </div>
        }
    });

    let cancel = can_cancel.get_untracked().then(|| match status {
        Active | Paused => {
            let text = if contract {
                "Your plan is a contract plan: it's cancelled together with your Customer Success Manager, who you can ask for a meeting here."
            } else {
                "Cancel any time. Everything keeps working until the end of the billing period, and you can resume until then."
            };
            Some(
                view! {
                    <div class="settings-row">
                        <div class="settings-row__text">
                            <h3 class="settings-row__title">"Cancel your subscription"</h3>
                            <p class="muted">{text}</p>
                        </div>
                        <a class="button button--secondary" href=CANCEL_PATH>
                            "Cancel subscription"
                        </a>
                    </div>
                }
                .into_any(),
            )
        }
        PastDue | Deactivated | Frozen => Some(
            view! {
                <div class="settings-row">
                    <div class="settings-row__text">
                        <h3 class="settings-row__title">"Cancel your subscription"</h3>
                        <p class="muted">
                            "The subscription can be cancelled once the open invoice is paid. "
                            <a href="/billing/payment">"Manage payment"</a>
                        </p>
                    </div>
                </div>
            }
            .into_any(),
        ),
        // Scheduled: the notice at the top offers "Resume subscription".
        // Ended: there is nothing left to cancel.
        CancelScheduled | Canceled | Deleted => None,
    });
    let cancel = cancel.flatten();

    (withdraw.is_some() || refund.is_some() || cancel.is_some()).then(|| {
        view! {
            <section class="card settings-list" aria-labelledby="cancellation-heading">
                <header class="card__header">
                    <h2 class="card__title" id="cancellation-heading">
                        "Cancellation and refunds"
                    </h2>
                </header>
                {withdraw}
                {refund}
                {cancel}
            </section>
        }
    })
}

/// What "Refund and end subscription" gives back, with the catalog's
/// full-refund window.
fn refund_text(window_days: u32) -> String {
    format!(
        "End the subscription today and get back what's due: everything, to your card, within {} of a purchase you haven't used; otherwise the unused rest of the period, as credit.",
        format::days(i64::from(window_days))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refund_row_names_the_catalogs_window() {
        assert_eq!(
            refund_text(7),
            "End the subscription today and get back what's due: everything, to your card, within 7 days of a purchase you haven't used; otherwise the unused rest of the period, as credit."
        );
        assert!(refund_text(1).contains("within 1 day of a purchase"));
    }
}
