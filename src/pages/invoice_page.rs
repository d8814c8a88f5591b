//! One invoice, laid out to read and print like the paper it stands for:
//! who was billed, when, for what period, the lines and the total, whether
//! it is paid; with "Download PDF" and "Print".

use crate::api;
use crate::components::error_view::{errors_message, ErrorView};
use crate::components::invoice_lines_table::InvoiceLinesTable;
use crate::components::invoice_parties::InvoiceParties;
use crate::components::invoice_status_badge::InvoiceStatusBadge;
use crate::components::loading_view::LoadingView;
use crate::components::money_amount::MoneyAmount;
use crate::components::no_billing_access::NoBillingAccess;
use crate::components::not_found_notice::NotFoundNotice;
use crate::components::page_title::PageTitle;
use crate::components::status_banner::AccountStatusBanner;
use crate::format;
use crate::state::session::{refresh_session_on_forbidden, use_session};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::wire::Invoice;
use billing_domain::Permission;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/billing/invoices/:id`.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let session = use_session();
    let can_read = Memo::new(move |_| session.with(|s| s.can(Permission::BillingRead)));
    let account_name = Signal::derive(move || {
        session.with(|s| {
            s.info()
                .map(|info| info.account.name.clone())
                .unwrap_or_default()
        })
    });
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());

    move || {
        if can_read.get() {
            view! { <InvoiceSection id account_name /> }.into_any()
        } else {
            view! {
                <PageTitle text="Invoice" />
                <div class="page">
                    <header class="page__header">
                        <h1 class="page__title">"Invoice"</h1>
                    </header>
                    <NoBillingAccess account_name />
                </div>
            }
            .into_any()
        }
    }
}

/// `GET /api/invoices/{id}`: the invoice, "Invoice not found" for a 404
/// (including another account's id), or the no-access view for a 403.
#[component]
fn InvoiceSection(id: Memo<String>, account_name: Signal<String>) -> impl IntoView {
    let invoice = LocalResource::new(move || {
        let id = id.get();
        async move { api::invoice(&id).await }
    });
    refresh_session_on_forbidden(invoice);

    view! {
        <div class="page">
            <div class="contents no-print">
                <AccountStatusBanner />
            </div>
            <Transition fallback=|| {
                view! {
                    <PageTitle text="Invoice" />
                    <LoadingView label="Loading the invoice…" />
                }
            }>
                <ErrorBoundary fallback=move |errors| {
                    view! {
                        <PageTitle text="Invoice" />
                        <ErrorView
                            title="We couldn't load this invoice"
                            message=Signal::derive(move || errors_message(&errors.read()))
                            on_retry=Callback::new(move |_| invoice.refetch())
                        />
                    }
                }>
                    {move || Suspend::new(async move {
                        match invoice.await {
                            Ok(invoice) => Ok(view! { <InvoiceDetail invoice /> }.into_any()),
                            Err(e) if e.status == Some(404) => {
                                Ok(
                                    view! {
                                        <PageTitle text="Invoice not found" />
                                        <NotFoundNotice
                                            title="Invoice not found"
                                            message="There is no such invoice in your account. It may have been mistyped."
                                            back_href="/billing/invoices"
                                            back_label="Back to invoices"
                                        />
                                    }
                                        .into_any(),
                                )
                            }
                            Err(e) if e.is_forbidden() => {
                                Ok(
                                    view! {
                                        <PageTitle text="Invoice" />
                                        <NoBillingAccess account_name />
                                    }
                                        .into_any(),
                                )
                            }
                            Err(e) => Err(e),
                        }
                    })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

/// The invoice itself.
#[component]
fn InvoiceDetail(invoice: Invoice) -> impl IntoView {
    let session = use_session();
    let can_manage = move || session.with(|s| s.can(Permission::BillingManage));
    let title = format!("Invoice {}", invoice.number);
    let pdf_href = api::invoice_pdf_href(&invoice.id);
    let period = match (invoice.period_start, invoice.period_end) {
        (Some(start), Some(end)) => Some(format::period(start, end)),
        _ => None,
    };

    let payment = match (invoice.status, invoice.paid_at) {
        (InvoiceStatus::Paid, Some(paid_at)) => view! {
            <div class="facts__row">
                <dt>"Paid on"</dt>
                <dd>{format::date(paid_at)}</dd>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };

    let unpaid_notice = (invoice.status == InvoiceStatus::Open).then(|| {
        let reason = invoice.last_error.clone();
        view! {
            <div class="invoice__unpaid" role="note">
                <p class="invoice__unpaid-title">
                    "This invoice is unpaid: "
                    <MoneyAmount money=invoice.total />
                    " is due."
                </p>
                {reason.map(|reason| view! { <p>{format!("The last payment attempt failed: {reason}")}</p> })}
                {move || {
                    if can_manage() {
                        view! {
                            <a class="button button--primary button--small no-print" href="/billing/payment">
                                "Update payment method"
                            </a>
                        }
                            .into_any()
                    } else {
                        view! {
                            <p>"Ask the account owner or an admin to update the payment method."</p>
                        }
                            .into_any()
                    }
                }}
            </div>
        }
    });

    let credit_applied = (!invoice.credit_applied.is_zero()).then(|| {
        view! {
            <div class="facts__row">
                <dt>"Credit applied from your balance"</dt>
                <dd>
                    <MoneyAmount money=invoice.credit_applied />
                </dd>
            </div>
        }
    });
    let credit_created = (!invoice.credit_created.is_zero()).then(|| {
        view! {
            <div class="facts__row">
                <dt>"Added to your credit balance"</dt>
                <dd>
                    <MoneyAmount money=invoice.credit_created />
                </dd>
            </div>
        }
    });
    let credits = (credit_applied.is_some() || credit_created.is_some()).then(|| {
        view! { <dl class="facts invoice__credits">{credit_applied} {credit_created}</dl> }
    });

    view! {
        <PageTitle text=title.clone() />
        <a class="back-link no-print" href="/billing/invoices">
            <span aria-hidden="true">"← "</span>
            "Back to invoices"
        </a>
        <header class="page__header page__header--split">
            <div class="page__heading-row">
                <h1 class="page__title">{title}</h1>
                <InvoiceStatusBadge status=invoice.status />
            </div>
            <div class="page__actions no-print">
                <a class="button button--secondary" href=pdf_href download>
                    "Download PDF"
                </a>
                <button
                    type="button"
                    class="button button--secondary"
                    on:click=move |_| {
                        let _ = window().print();
                    }
                >
                    "Print"
                </button>
            </div>
        </header>
        <article class="card invoice" aria-label="Invoice document">
            <div class="invoice__head">
                <p class="brand">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">"Billing portal"</span>
                </p>
                <p class="invoice__number">{invoice.number.clone()}</p>
            </div>
            <InvoiceParties
                seller=invoice.seller.clone()
                buyer=invoice.buyer.clone()
                fallback_buyer=invoice.account_name.clone()
            />
            <dl class="facts invoice__facts">
                <div class="facts__row">
                    <dt>"Issued"</dt>
                    <dd>{format::date(invoice.created_at)}</dd>
                </div>
                {period
                    .map(|period| {
                        view! {
                            <div class="facts__row">
                                <dt>"Service period"</dt>
                                <dd>{period}</dd>
                            </div>
                        }
                    })}
                <div class="facts__row">
                    <dt>"Status"</dt>
                    <dd>{invoice.status.label()}</dd>
                </div>
                {payment}
            </dl>
            {unpaid_notice}
            <InvoiceLinesTable lines=invoice.lines total=invoice.total />
            {credits}
        </article>
    }
}
