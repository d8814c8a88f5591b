//! Manage payment: the card on file and, for users who may change it, the
//! form for a new one; plus the other ways to pay.

use crate::api;
use crate::components::cancel_notice::{ReactivationNote, SubscriptionEndedNotice};
use crate::components::card::Card;
use crate::components::loading_region::LoadingRegion;
use crate::components::new_card_form::NewCardForm;
use crate::components::no_billing_access::NoBillingAccess;
use crate::components::other_ways_to_pay::OtherWaysToPay;
use crate::components::page_title::PageTitle;
use crate::components::payment_method_card::PaymentMethodCard;
use crate::components::status_banner::StatusBanner;
use crate::state::session::{refresh_session_on_forbidden, use_session};
use billing_domain::Permission;
use leptos::prelude::*;

/// `/billing/payment`.
#[component]
pub fn PaymentPage() -> impl IntoView {
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
        <PageTitle text="Manage payment" />
        <div class="page">
            <header class="page__header">
                <h1 class="page__title">"Manage payment"</h1>
                <p class="page__lead">"The card we charge for your subscription and invoices."</p>
            </header>
            {move || {
                if can_read.get() {
                    view! { <PaymentSection account_name /> }.into_any()
                } else {
                    view! { <NoBillingAccess account_name /> }.into_any()
                }
            }}
        </div>
    }
}

/// The current card (from `GET /api/billing/overview`, re-read after a card
/// is saved) and the form. The form stays outside the overview's
/// `<Transition>` so re-reading never clears what it shows.
#[component]
fn PaymentSection(account_name: Signal<String>) -> impl IntoView {
    let session = use_session();
    let can_manage = Memo::new(move |_| session.with(|s| s.can(Permission::BillingManage)));
    let overview = LocalResource::new(api::billing_overview);
    let (pending, set_pending) = signal(false);
    refresh_session_on_forbidden(overview);

    let current_card = view! {
        <div aria-busy=move || pending.get().to_string()>
            <LoadingRegion
                label="Loading your payment method…"
                error_title="We couldn't load your payment method"
                on_retry=Callback::new(move |_| overview.refetch())
                set_pending
            >
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            Ok(
                                view! {
                                    <div class="stack">
                                        <ReactivationNote
                                            status=overview.status
                                            data_deleted_at=overview.data_deleted_at
                                            charge=overview.next_charge
                                        />
                                        <StatusBanner overview=overview.clone() show_action=false />
                                        <PaymentMethodCard
                                            payment_method=overview.payment_method
                                            title="Current card"
                                        >
                                            {move || {
                                                (!can_manage.get())
                                                    .then(|| {
                                                        view! {
                                                            <p class="read-only-note">
                                                                "Only the account owner, admins and members with manage access can change the payment method."
                                                            </p>
                                                        }
                                                    })
                                            }}
                                        </PaymentMethodCard>
                                    </div>
                                }
                                    .into_any(),
                            )
                        }
                        Err(e) if api::cancel::is_subscription_ended(&e) => {
                            Ok(view! { <SubscriptionEndedNotice message=e.message /> }.into_any())
                        }
                        Err(e) if e.is_forbidden() => {
                            Ok(view! { <NoBillingAccess account_name /> }.into_any())
                        }
                        Err(e) => Err(e),
                    }
                })}
            </LoadingRegion>
        </div>
    };

    view! {
        <div class="payment-layout">
            <div class="payment-layout__main">
                {current_card}
                {move || {
                    can_manage
                        .get()
                        .then(|| {
                            view! {
                                <Card title="New card" heading_id="new-card-heading">
                                    <NewCardForm on_saved=move |_| overview.refetch() />
                                </Card>
                            }
                        })
                }}
            </div>
            <aside class="payment-layout__side">
                <OtherWaysToPay />
            </aside>
        </div>
    }
}
