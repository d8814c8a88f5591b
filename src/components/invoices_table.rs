//! Every invoice of the account in a table, newest first, with "Load more"
//! for the pages after the first.

use crate::api::{self, ApiError};
use crate::components::invoice_status_badge::InvoiceStatusBadge;
use crate::components::load_more_footer::LoadMoreFooter;
use crate::components::money_amount::MoneyAmount;
use crate::focus::focus_after_render;
use crate::format;
use billing_domain::wire::{Invoice, InvoiceList};
use leptos::prelude::*;

/// How many invoices one "Load more" asks for.
pub const PAGE_SIZE: u32 = 20;

/// The table of invoices, starting with `first_page`.
#[component]
pub fn InvoicesTable(
    /// The first page of `GET /api/invoices`.
    first_page: InvoiceList,
) -> impl IntoView {
    if first_page.data.is_empty() {
        return view! {
            <div class="card empty-card">
                <p class="empty-state">"No invoices yet."</p>
                <p class="muted">"Your invoices appear here after each renewal or change."</p>
            </div>
        }
        .into_any();
    }

    let rows = RwSignal::new(first_page.data);
    let has_more = RwSignal::new(first_page.has_more);
    let load_more = Action::new_local(move |after: &String| {
        let after = after.clone();
        async move {
            let page = api::invoices(PAGE_SIZE, Some(&after)).await?;
            // Keyboard users continue from the first invoice just loaded
            // rather than from the top of the page.
            let first_new = page.data.first().map(|invoice| invoice.id.clone());
            rows.update(|rows| rows.extend(page.data));
            has_more.set(page.has_more);
            if let Some(id) = first_new {
                focus_after_render(row_link_id(&id));
            }
            Ok::<(), ApiError>(())
        }
    });
    let pending = load_more.pending();
    let error = move || match load_more.value().get() {
        Some(Err(e)) if !pending.get() => Some(e.message),
        _ => None,
    };
    let on_load_more = move |_| {
        if pending.get_untracked() {
            return;
        }
        if let Some(last) = rows.with_untracked(|rows| rows.last().map(|i| i.id.clone())) {
            load_more.dispatch(last);
        }
    };

    view! {
        <div class="card card--flush">
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Invoices"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Number"</th>
                            <th scope="col">"Date"</th>
                            <th scope="col">"Period"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col" class="table__num">
                                "Amount"
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|invoice| invoice.id.clone() let:invoice>
                            <InvoiceRow invoice />
                        </For>
                    </tbody>
                </table>
            </div>
            <LoadMoreFooter
                count=Signal::derive(move || rows.with(Vec::len))
                noun=("invoice", "invoices")
                has_more
                pending
                error=Signal::derive(error)
                on_load_more=Callback::new(on_load_more)
            />
        </div>
    }
    .into_any()
}

/// One invoice: its number links to the detail page.
#[component]
fn InvoiceRow(invoice: Invoice) -> impl IntoView {
    let href = format!("/billing/invoices/{}", invoice.id);
    let period = match (invoice.period_start, invoice.period_end) {
        (Some(start), Some(end)) => format::period(start, end),
        _ => "—".to_string(),
    };
    view! {
        <tr>
            <th scope="row">
                <a class="table__link" href=href id=row_link_id(&invoice.id)>
                    {invoice.number}
                </a>
            </th>
            <td>{format::date(invoice.created_at)}</td>
            <td class="table__muted">{period}</td>
            <td>
                <InvoiceStatusBadge status=invoice.status />
            </td>
            <td class="table__num">
                <MoneyAmount money=invoice.total />
            </td>
        </tr>
    }
}

fn row_link_id(invoice_id: &str) -> String {
    format!("invoice-link-{invoice_id}")
}
