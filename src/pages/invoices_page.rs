//! Invoices: every invoice of the account, newest first, each linking to its
//! detail; or who to ask for users who may not see billing.

use crate::api;
use crate::components::credit_notes_table::CreditNotesTable;
use crate::components::invoices_table::{InvoicesTable, PAGE_SIZE};
use crate::components::loading_region::LoadingRegion;
use crate::components::no_billing_access::NoBillingAccess;
use crate::components::page_title::PageTitle;
use crate::components::status_banner::AccountStatusBanner;
use crate::state::session::{refresh_session_on_forbidden, use_session};
use billing_domain::Permission;
use leptos::prelude::*;

/// `/billing/invoices`.
#[component]
pub fn InvoicesPage() -> impl IntoView {
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
        <PageTitle text="Invoices" />
        <div class="page">
            <header class="page__header">
                <h1 class="page__title">"Invoices"</h1>
                <p class="page__lead">
                    "Every invoice for your account, newest first. Open one to see its lines, print it or download a PDF."
                </p>
            </header>
            {move || {
                if can_read.get() {
                    view! {
                        <AccountStatusBanner />
                        <InvoiceListSection account_name />
                        <CreditNotesSection />
                    }
                        .into_any()
                } else {
                    view! { <NoBillingAccess account_name /> }.into_any()
                }
            }}
        </div>
    }
}

/// The first page of `GET /api/invoices` in a table that loads more on
/// request. A 403 shows the no-access view.
#[component]
fn InvoiceListSection(account_name: Signal<String>) -> impl IntoView {
    let invoices = LocalResource::new(|| api::invoices(PAGE_SIZE, None));
    let (pending, set_pending) = signal(false);
    refresh_session_on_forbidden(invoices);

    view! {
        <div aria-busy=move || pending.get().to_string()>
            <LoadingRegion
                label="Loading your invoices…"
                error_title="We couldn't load your invoices"
                on_retry=Callback::new(move |_| invoices.refetch())
                set_pending
            >
                {move || Suspend::new(async move {
                    match invoices.await {
                        Ok(first_page) => Ok(view! { <InvoicesTable first_page /> }.into_any()),
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

/// The account's credit notes (`GET /api/credit-notes`), under their own
/// heading. A 403 shows nothing: the list above already says so.
#[component]
fn CreditNotesSection() -> impl IntoView {
    let notes = LocalResource::new(|| api::documents::credit_notes(100, None));
    view! {
        <section class="stack" aria-labelledby="credit-notes-heading">
            <h2 class="card__title" id="credit-notes-heading">"Credit notes"</h2>
            <LoadingRegion
                label="Loading your credit notes…"
                error_title="We couldn't load your credit notes"
                on_retry=Callback::new(move |_| notes.refetch())
            >
                {move || Suspend::new(async move {
                    match notes.await {
                        Ok(list) => Ok(view! { <CreditNotesTable notes=list.data /> }.into_any()),
                        Err(e) if e.is_forbidden() => Ok(().into_any()),
                        Err(e) => Err(e),
                    }
                })}
            </LoadingRegion>
        </section>
    }
}
