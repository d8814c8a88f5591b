//! An invoice's lines (description, quantity, amount) and its total.

use crate::components::money_amount::MoneyAmount;
use crate::format;
use billing_domain::invoice::InvoiceLine;
use billing_domain::Money;
use leptos::prelude::*;

/// The lines of an invoice, with a "Total" row.
#[component]
pub fn InvoiceLinesTable(
    /// The invoice's lines, in order.
    lines: Vec<InvoiceLine>,
    /// The invoice's total (the sum of the lines).
    total: Money,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table invoice-lines">
                <caption class="visually-hidden">"Invoice lines"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Description"</th>
                        <th scope="col" class="table__num">
                            "Qty"
                        </th>
                        <th scope="col" class="table__num">
                            "Amount"
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|line| {
                            let period = match (line.period_start, line.period_end) {
                                (Some(start), Some(end)) => Some(format::period(start, end)),
                                _ => None,
                            };
                            view! {
                                <tr>
                                    <td>
                                        <span class="invoice-lines__description">
                                            {line.description}
                                        </span>
                                        {period
                                            .map(|p| {
                                                view! { <span class="invoice-lines__period">{p}</span> }
                                            })}
                                    </td>
                                    <td class="table__num">{line.quantity}</td>
                                    <td class="table__num">
                                        <MoneyAmount money=line.amount />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
                <tfoot>
                    <tr class="invoice-lines__total">
                        <th scope="row" colspan="2">
                            "Total"
                        </th>
                        <td class="table__num">
                            <MoneyAmount money=total />
                        </td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
