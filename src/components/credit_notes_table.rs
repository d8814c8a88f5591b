//! The account's credit notes in a table, newest first: what was credited,
//! against which invoice, and a PDF of each.

use crate::api::documents::credit_note_pdf_href;
use crate::components::money_amount::MoneyAmount;
use crate::format;
use billing_domain::wire::CreditNote;
use leptos::prelude::*;

/// The table, or a line saying there are none.
#[component]
pub fn CreditNotesTable(
    /// The credit notes, newest first.
    notes: Vec<CreditNote>,
) -> impl IntoView {
    if notes.is_empty() {
        return view! { <p class="muted">"No credit notes. Refunds and credits for unused time appear here."</p> }
            .into_any();
    }
    view! {
        <div class="card card--flush">
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Credit notes"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Number"</th>
                            <th scope="col">"Date"</th>
                            <th scope="col">"Reason"</th>
                            <th scope="col">"Credits invoice"</th>
                            <th scope="col" class="table__num">
                                "Amount"
                            </th>
                            <th scope="col">"PDF"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {notes
                            .into_iter()
                            .map(|cn| {
                                let href = credit_note_pdf_href(&cn.id);
                                let invoice = match (&cn.invoice_id, &cn.invoice_number) {
                                    (Some(id), Some(number)) => {
                                        view! {
                                            <a class="table__link" href=format!("/billing/invoices/{id}")>
                                                {number.clone()}
                                            </a>
                                        }
                                            .into_any()
                                    }
                                    _ => view! { <span class="table__muted">"—"</span> }.into_any(),
                                };
                                let label = format!("Download {} as PDF", cn.number);
                                view! {
                                    <tr>
                                        <th scope="row">{cn.number.clone()}</th>
                                        <td>{format::date(cn.created_at)}</td>
                                        <td>{cn.reason.label()}</td>
                                        <td>{invoice}</td>
                                        <td class="table__num">
                                            <MoneyAmount money=cn.total />
                                        </td>
                                        <td>
                                            <a class="table__link" href=href download aria-label=label>
                                                "PDF"
                                            </a>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
    .into_any()
}
