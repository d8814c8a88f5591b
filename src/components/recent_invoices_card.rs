//! The three most recent invoices, with a link to all of them.

use crate::components::card::Card;
use crate::components::invoice_status_badge::InvoiceStatusBadge;
use crate::components::money_amount::MoneyAmount;
use crate::format;
use billing_domain::wire::Invoice;
use leptos::prelude::*;

/// How many invoices the card lists.
const SHOWN: usize = 3;

/// The latest invoices (number, date, amount, state) and "View all invoices".
#[component]
pub fn RecentInvoicesCard(
    /// Recent invoices, newest first (only the first three are shown).
    invoices: Vec<Invoice>,
) -> impl IntoView {
    let body = if invoices.is_empty() {
        view! { <p class="empty-state">"No invoices yet."</p> }.into_any()
    } else {
        view! {
            <ul class="invoice-summary">
                {invoices
                    .into_iter()
                    .take(SHOWN)
                    .map(|invoice| {
                        let href = format!("/billing/invoices/{}", invoice.id);
                        view! {
                            <li class="invoice-summary__item">
                                <span class="invoice-summary__main">
                                    <a class="table__link" href=href>
                                        {invoice.number}
                                    </a>
                                    <span class="muted">{format::date(invoice.created_at)}</span>
                                </span>
                                <span class="invoice-summary__side">
                                    <MoneyAmount money=invoice.total />
                                    <InvoiceStatusBadge status=invoice.status />
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Card title="Invoices" heading_id="recent-invoices-heading">
            {body}
            <a class="card__link" href="/billing/invoices">
                "View all invoices"
            </a>
        </Card>
    }
}
