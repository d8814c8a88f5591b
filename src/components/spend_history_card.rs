//! Spend history: a bar chart of the most recent invoices' totals, oldest on
//! the left, with the same numbers in a table for those who cannot see it.

use crate::components::card::Card;
use crate::components::money_amount::MoneyAmount;
use crate::format;
use billing_domain::wire::Invoice;
use billing_domain::Money;
use leptos::prelude::*;

// The chart's coordinate space; the SVG scales to the card's width. Whole
// numbers throughout: printing floats would add their formatting code to the
// wasm for no visible gain.
const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const LEFT: i64 = 84;
const RIGHT: i64 = 8;
const TOP: i64 = 12;
const BOTTOM: i64 = 30;
const MAX_BAR_WIDTH: i64 = 40;

/// The chart of `invoices` (newest first, as the API lists them).
#[component]
pub fn SpendHistoryCard(
    /// The most recent invoices, newest first.
    invoices: Vec<Invoice>,
) -> impl IntoView {
    let body = if invoices.is_empty() {
        view! { <p class="empty-state">"No invoices yet."</p> }.into_any()
    } else {
        let oldest_first: Vec<Invoice> = invoices.into_iter().rev().collect();
        view! { <SpendChart invoices=oldest_first /> }.into_any()
    };
    view! {
        <Card title="Spend history" heading_id="spend-history-heading" class="card--wide">
            {body}
        </Card>
    }
}

/// The SVG chart and its table; `invoices` oldest first, never empty.
#[component]
fn SpendChart(invoices: Vec<Invoice>) -> impl IntoView {
    let currency = invoices[0].total.currency();
    let major_unit = 10i64.pow(currency.exponent());
    let highest = invoices.iter().map(|i| i.total.amount()).max().unwrap_or(0);
    // The axis ends at a round amount at or above the highest total.
    let axis_max = nice_ceiling(highest.max(major_unit));
    let n = invoices.len() as i64;
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let bar_width = (plot_width * 6 / (10 * n)).clamp(2, MAX_BAR_WIDTH);
    let y_of =
        move |minor: i64| TOP + plot_height - plot_height * minor.clamp(0, axis_max) / axis_max;

    let ticks = [0, axis_max / 2, axis_max]
        .into_iter()
        .map(|minor| {
            let y = y_of(minor);
            view! {
                <line class="chart__grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                <text class="chart__tick" x=LEFT - 8 y=y + 4 text-anchor="end">
                    {Money::new(minor, currency).format()}
                </text>
            }
        })
        .collect_view();

    let bars = invoices
        .iter()
        .enumerate()
        .map(|(i, invoice)| {
            let center = LEFT + plot_width * (2 * i as i64 + 1) / (2 * n);
            let top = y_of(invoice.total.amount());
            let height = (TOP + plot_height - top).max(1);
            let tooltip = format!(
                "{} · {} · {} ({})",
                invoice.number,
                format::date(invoice.created_at),
                invoice.total.format(),
                invoice.status.label()
            );
            view! {
                <g class=format!("chart__bar chart__bar--{}", invoice.status.as_str())>
                    <title>{tooltip}</title>
                    <rect x=center - bar_width / 2 y=top width=bar_width height=height rx="3" />
                    <text class="chart__label" x=center y=HEIGHT - 10 text-anchor="middle">
                        {format::month(invoice.created_at)}
                    </text>
                </g>
            }
        })
        .collect_view();

    let rows = invoices
        .iter()
        .rev()
        .map(|invoice| {
            view! {
                <tr>
                    <th scope="row">{invoice.number.clone()}</th>
                    <td>{format::date(invoice.created_at)}</td>
                    <td class="table__num">
                        <MoneyAmount money=invoice.total />
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-label=chart_summary(&invoices)
        >
            {ticks}
            {bars}
        </svg>
        <details class="chart-data">
            <summary>"Show the numbers"</summary>
            <table class="table table--compact">
                <caption class="visually-hidden">"Spend by invoice"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Invoice"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col" class="table__num">
                            "Amount"
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

/// What the chart shows, in one sentence for assistive technology.
fn chart_summary(invoices: &[Invoice]) -> String {
    let lowest = invoices.iter().map(|i| i.total).min_by_key(Money::amount);
    let highest = invoices.iter().map(|i| i.total).max_by_key(Money::amount);
    match (invoices.len(), lowest, highest) {
        (0, _, _) | (_, None, _) | (_, _, None) => "No invoices yet".into(),
        (1, Some(only), _) => format!("Spend on the last invoice: {}", only.format()),
        (n, Some(low), Some(high)) if low == high => {
            format!("Spend over the last {n} invoices: {} each", low.format())
        }
        (n, Some(low), Some(high)) => format!(
            "Spend over the last {n} invoices, from {} to {}",
            low.format(),
            high.format()
        ),
    }
}

/// The smallest of 1, 2, 2.5, 5 or 10 × 10ⁿ at or above `minor` (> 0).
fn nice_ceiling(minor: i64) -> i64 {
    let mut power = 1;
    while power <= minor / 10 {
        power *= 10;
    }
    [10, 20, 25, 50, 100]
        .into_iter()
        .map(|tenths| power * tenths / 10)
        .find(|step| *step >= minor)
        .unwrap_or(power * 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use billing_domain::invoice::InvoiceStatus;
    use billing_domain::Currency;
    use chrono::{TimeZone, Utc};

    fn invoice(number: &str, cents: i64) -> Invoice {
        let usd = Currency::parse("USD").unwrap();
        Invoice {
            id: number.to_lowercase(),
            number: number.into(),
            status: InvoiceStatus::Paid,
            total: Money::new(cents, usd),
            credit_applied: Money::zero(usd),
            credit_created: Money::zero(usd),
            period_start: None,
            period_end: None,
            created_at: Utc.with_ymd_and_hms(2026, 12, 22, 0, 0, 0).unwrap(),
            paid_at: None,
            last_error: None,
            lines: vec![],
            account_name: "Acme".into(),
            seller: None,
            buyer: None,
        }
    }

    #[test]
    fn the_summary_names_the_range() {
        let many = [
            invoice("INV-00001", 111_200),
            invoice("INV-00002", 166_800),
            invoice("INV-00003", 139_000),
        ];
        assert_eq!(
            chart_summary(&many),
            "Spend over the last 3 invoices, from $1,112.00 to $1,668.00"
        );
        assert_eq!(
            chart_summary(&many[1..2]),
            "Spend on the last invoice: $1,668.00"
        );
        let same = [invoice("INV-00001", 166_800), invoice("INV-00002", 166_800)];
        assert_eq!(
            chart_summary(&same),
            "Spend over the last 2 invoices: $1,668.00 each"
        );
    }

    #[test]
    fn the_axis_ends_at_a_round_number() {
        assert_eq!(nice_ceiling(166_800), 200_000);
        assert_eq!(nice_ceiling(200_000), 200_000);
        assert_eq!(nice_ceiling(210_000), 250_000);
        assert_eq!(nice_ceiling(3_100), 5_000);
        assert_eq!(nice_ceiling(100), 100);
        assert_eq!(nice_ceiling(900_000), 1_000_000);
        assert_eq!(nice_ceiling(1), 1);
        assert_eq!(nice_ceiling(7), 10);
    }
}
