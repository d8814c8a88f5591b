//! Plans & Billing: the overview of the subscription (state banner, plan,
//! next charge, seats, payment method, credit, spend history and recent
//! invoices, and at the bottom the cancel entry), or who to ask for users
//! who may not see it.

use crate::api;
use crate::components::billing_details_form::BillingDetailsCard;
use crate::components::cancel_entry::CancelEntry;
use crate::components::cancel_notice::{SubscriptionEndedNotice, SubscriptionNotice};
use crate::components::credit_balance_card::CreditBalanceCard;
use crate::components::discount_card::DiscountCard;
use crate::components::loading_region::LoadingRegion;
use crate::components::next_charge_card::NextChargeCard;
use crate::components::next_task::NextTask;
use crate::components::no_billing_access::NoBillingAccess;
use crate::components::page_title::PageTitle;
use crate::components::payment_method_card::PaymentMethodCard;
use crate::components::pending_changes_card::PendingChangesCard;
use crate::components::plan_card::PlanCard;
use crate::components::recent_invoices_card::RecentInvoicesCard;
use crate::components::seats_card::SeatsCard;
use crate::components::spend_history_card::SpendHistoryCard;
use crate::components::status_banner::StatusBanner;
use crate::state::catalog::{use_catalog, Catalog};
use crate::state::overview_revision::{provide_overview_revision, use_overview_revision};
use crate::state::session::{refresh_session_on_forbidden, use_session};
use billing_domain::wire::BillingOverview;
use billing_domain::Permission;
use leptos::prelude::*;

/// How many invoices the spend history charts.
const HISTORY_LENGTH: u32 = 12;

/// `/billing`.
#[component]
pub fn BillingPage() -> impl IntoView {
    let session = use_session();
    provide_overview_revision();
    let can_read = Memo::new(move |_| session.with(|s| s.can(Permission::BillingRead)));
    let can_manage = Memo::new(move |_| session.with(|s| s.can(Permission::BillingManage)));
    let account_name = Signal::derive(move || {
        session.with(|s| {
            s.info()
                .map(|info| info.account.name.clone())
                .unwrap_or_default()
        })
    });

    view! {
        <PageTitle text="Plans & Billing" />
        <div class="page">
            <header class="page__header">
                <h1 class="page__title">"Plans & Billing"</h1>
                <p class="page__lead">
                    "Your plan, seats, payment method and what you'll be charged next."
                </p>
            </header>
            {move || {
                if can_read.get() {
                    view! {
                        <BillingOverviewSection account_name />
                        // Each below the overview in a task of its own.
                        <NextTask>
                            <InvoiceHistorySection />
                        </NextTask>
                        <NextTask>
                            <BillingDetailsCard can_manage />
                        </NextTask>
                        <NextTask>
                            <CancelEntry />
                        </NextTask>
                    }
                        .into_any()
                } else {
                    view! { <NoBillingAccess account_name /> }.into_any()
                }
            }}
        </div>
    }
}

/// The overview cards, loaded from `GET /api/billing/overview`. A 403 (the
/// user's access was withdrawn since the session was read) shows the same
/// view as a missing `billing:read`.
#[component]
fn BillingOverviewSection(account_name: Signal<String>) -> impl IntoView {
    // Read again whenever something on the page changed the subscription.
    let revision = use_overview_revision();
    let overview = LocalResource::new(move || {
        revision.track();
        api::billing_overview()
    });
    let catalog = use_catalog();
    let (pending, set_pending) = signal(false);
    refresh_session_on_forbidden(overview);

    view! {
        <div aria-busy=move || pending.get().to_string()>
            <SubscriptionNotice overview />
            <PendingChangesCard overview />
            <LoadingRegion
                label="Loading your billing overview…"
                cards=5
                error_title="We couldn't load your billing overview"
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
                            Ok(view! { <OverviewCards overview catalog /> }.into_any())
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
    }
}

/// The state banner and the grid of overview cards.
#[component]
fn OverviewCards(overview: BillingOverview, catalog: Catalog) -> impl IntoView {
    view! {
        <div class="stack">
            <StatusBanner overview=overview.clone() />
            <div class="card-grid">
            <PlanCard overview=overview.clone() catalog />
            <NextChargeCard overview=overview.clone() />
            <SeatsCard seats=overview.seats />
            <PaymentMethodCard payment_method=overview.payment_method.clone() />
            <CreditBalanceCard balance=overview.credit_balance />
            <DiscountCard discount=overview.discount />
            </div>
        </div>
    }
}

/// Spend history and the latest invoices, both from one
/// `GET /api/invoices?limit=12`. A 403 shows nothing here: the overview
/// above already says the user has no access.
#[component]
fn InvoiceHistorySection() -> impl IntoView {
    let invoices = LocalResource::new(|| api::invoices(HISTORY_LENGTH, None));
    view! {
        <LoadingRegion
            label="Loading your invoices…"
            cards=2
            error_title="We couldn't load your invoices"
            on_retry=Callback::new(move |_| invoices.refetch())
        >
            {move || Suspend::new(async move {
                match invoices.await {
                    Ok(list) => {
                        Ok(
                            view! {
                                <div class="card-grid">
                                    <SpendHistoryCard invoices=list.data.clone() />
                                    <RecentInvoicesCard invoices=list.data />
                                </div>
                            }
                                .into_any(),
                        )
                    }
                    Err(e) if e.is_forbidden() => Ok(().into_any()),
                    Err(e) => Err(e),
                }
            })}
        </LoadingRegion>
    }
}
