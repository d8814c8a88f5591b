//! A refund and how it was computed (SPEC §6): full to the card, or the
//! unused rest less the clawed-back discount to the credit balance, with
//! each step of the computation in a small table.

use crate::components::card::Card;
use crate::components::money_amount::MoneyAmount;
use billing_domain::refund::{RefundKind, RefundQuote};
use leptos::prelude::*;

/// The kind of refund in words.
pub fn kind_label(kind: RefundKind) -> &'static str {
    match kind {
        RefundKind::Full => "Full refund to your card",
        RefundKind::Partial => "Partial refund to your credit balance",
    }
}

/// The amount, its kind, why, and the computation.
#[component]
pub fn RefundQuoteCard(
    /// The refund, as the API computed it.
    quote: RefundQuote,
    /// The card's heading.
    #[prop(default = "Your refund")]
    title: &'static str,
) -> impl IntoView {
    let last = quote.steps.len().saturating_sub(1);
    let rows = quote
        .steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let total = i == last && i > 0;
            view! {
                <tr class:refund-steps__total=total>
                    <th scope="row">{step.label}</th>
                    <td class="table__num">
                        <MoneyAmount money=step.amount />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Card title=title heading_id="refund-quote-heading" class="refund-quote">
            <p class=format!("badge badge--refund-{}", kind_class(quote.kind))>
                {kind_label(quote.kind)}
            </p>
            <p class="figure">
                <MoneyAmount money=quote.amount class="money--large" />
            </p>
            <p>{quote.explanation}</p>
            <div class="table-wrap">
                <table class="table table--compact refund-steps">
                    <caption class="refund-steps__caption">"How it's calculated"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Step"</th>
                            <th scope="col" class="table__num">
                                "Amount"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </Card>
    }
}

fn kind_class(kind: RefundKind) -> &'static str {
    match kind {
        RefundKind::Full => "full",
        RefundKind::Partial => "partial",
    }
}
