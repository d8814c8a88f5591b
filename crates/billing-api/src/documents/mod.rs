//! Invoices and credit notes as documents (SPEC §12): their wire form and
//! their PDF, each showing number, dates, seller, buyer, lines, totals and
//! currency as of the issue.

pub mod pdf;

use crate::mail::templates::date;
use crate::store::{AccountRecord, CreditNoteRecord, InvoiceRecord};
use billing_domain::invoice::InvoiceLine;
use billing_domain::wire::{CreditNote, Invoice, InvoiceParty};
use billing_domain::Money;
use chrono::{DateTime, Utc};
use pdf::Page;

/// The wire form of a stored invoice.
pub fn invoice_view(inv: InvoiceRecord, account: &AccountRecord) -> Invoice {
    Invoice {
        number: inv.number,
        id: inv.id,
        status: inv.status,
        total: Money::new(inv.total, inv.currency),
        credit_applied: Money::new(inv.credit_applied, inv.currency),
        credit_created: Money::new(inv.credit_created, inv.currency),
        period_start: inv.period_start,
        period_end: inv.period_end,
        created_at: inv.created_at,
        paid_at: inv.paid_at,
        last_error: inv.last_error,
        lines: inv.lines,
        account_name: account.name.clone(),
        seller: inv.seller,
        buyer: inv.buyer,
    }
}

/// The wire form of a stored credit note; `invoice_number` is the number
/// of the invoice it credits.
pub fn credit_note_view(cn: CreditNoteRecord, invoice_number: Option<String>) -> CreditNote {
    CreditNote {
        id: cn.id,
        number: cn.number,
        reason: cn.reason,
        invoice_id: cn.invoice_id,
        invoice_number,
        total: Money::new(cn.total, cn.currency),
        to_card: Money::new(cn.to_card, cn.currency),
        to_balance: Money::new(cn.to_balance, cn.currency),
        lines: cn.lines,
        created_at: cn.created_at,
        seller: cn.seller,
        buyer: cn.buyer,
    }
}

/// The lines of a party's block, name first.
fn party_lines(p: &InvoiceParty) -> Vec<String> {
    let mut out = vec![p.legal_name.clone()];
    if let Some(a) = &p.address {
        out.push(a.line1.clone());
        if let Some(l) = &a.line2 {
            out.push(l.clone());
        }
        let region = a
            .region
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        out.push(format!("{}{region} {}", a.city, a.postal_code));
        out.push(a.country.clone());
    }
    if let Some(t) = &p.tax_id {
        out.push(format!("Tax ID: {t}"));
    }
    out.push(p.email.clone());
    out
}

/// What the two kinds of document share on the page.
struct Sheet<'a> {
    title: &'a str,
    number: &'a str,
    facts: Vec<String>,
    seller: Option<&'a InvoiceParty>,
    buyer: Option<&'a InvoiceParty>,
    buyer_fallback: &'a str,
    lines: &'a [InvoiceLine],
    totals: Vec<(String, Money)>,
    note: String,
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        s.chars().take(n - 3).collect::<String>() + "..."
    } else {
        s.to_string()
    }
}

fn render(sheet: Sheet<'_>) -> Vec<u8> {
    let mut pages = vec![Page::default()];
    let mut page = pages.last_mut().expect("a page");
    page.text(50.0, 780.0, 22, true, sheet.title);
    page.text(360.0, 786.0, 11, true, sheet.number);
    let mut y = 770.0;
    for fact in &sheet.facts {
        page.text(360.0, y, 9, false, fact);
        y -= 12.0;
    }
    let top = 720.0_f32.min(y - 8.0);
    page.text(50.0, top, 9, true, "From");
    page.text(320.0, top, 9, true, "Billed to");
    let seller = sheet.seller.map(party_lines).unwrap_or_default();
    let buyer = sheet
        .buyer
        .map(party_lines)
        .unwrap_or_else(|| vec![sheet.buyer_fallback.to_string()]);
    for (i, l) in seller.iter().enumerate() {
        page.text(
            50.0,
            top - 14.0 - 12.0 * i as f32,
            9,
            i == 0,
            &shorten(l, 48),
        );
    }
    for (i, l) in buyer.iter().enumerate() {
        page.text(
            320.0,
            top - 14.0 - 12.0 * i as f32,
            9,
            i == 0,
            &shorten(l, 48),
        );
    }
    let mut y = top - 30.0 - 12.0 * seller.len().max(buyer.len()) as f32;
    let header = |page: &mut Page, y: f32| {
        page.text(50.0, y, 10, true, "Description");
        page.text(390.0, y, 10, true, "Qty");
        page.text(470.0, y, 10, true, "Amount");
        page.rule(50.0, 545.0, y - 6.0);
    };
    header(page, y);
    y -= 22.0;
    for line in sheet.lines {
        if y < 110.0 {
            pages.push(Page::default());
            page = pages.last_mut().expect("a page");
            y = 780.0;
            header(page, y);
            y -= 22.0;
        }
        page.text(50.0, y, 10, false, &shorten(&line.description, 62));
        page.text(390.0, y, 10, false, &line.quantity.to_string());
        page.text(470.0, y, 10, false, &line.amount.format());
        y -= 16.0;
    }
    page.rule(50.0, 545.0, y + 8.0);
    y -= 8.0;
    for (label, amount) in &sheet.totals {
        page.text(330.0, y, 11, true, label);
        page.text(470.0, y, 11, true, &amount.format());
        y -= 16.0;
    }
    page.text(50.0, 60.0, 8, false, &sheet.note);
    pdf::write(&pages)
}

fn day(t: DateTime<Utc>) -> String {
    date(t)
}

/// A PDF of the invoice.
pub fn invoice_pdf(inv: &Invoice) -> Vec<u8> {
    let mut facts = vec![
        format!("Status: {}", inv.status.label()),
        format!("Issued {}", day(inv.created_at)),
    ];
    if let (Some(s), Some(e)) = (inv.period_start, inv.period_end) {
        facts.push(format!("Service period {} - {}", day(s), day(e)));
    }
    if let Some(paid) = inv.paid_at {
        facts.push(format!("Paid {}", day(paid)));
    }
    facts.push(format!("Currency: {}", inv.total.currency().code()));
    let mut totals = Vec::new();
    if !inv.credit_applied.is_zero() {
        totals.push(("Credit applied".to_string(), inv.credit_applied));
    }
    if !inv.credit_created.is_zero() {
        totals.push(("Credit created".to_string(), inv.credit_created));
    }
    totals.push(("Total".to_string(), inv.total));
    render(Sheet {
        title: "Invoice",
        number: &inv.number,
        facts,
        seller: inv.seller.as_ref(),
        buyer: inv.buyer.as_ref(),
        buyer_fallback: &inv.account_name,
        lines: &inv.lines,
        totals,
        note:
            "Amounts in minor-unit precision; prorated lines are computed per second of the period."
                .into(),
    })
}

/// A PDF of the credit note.
pub fn credit_note_pdf(cn: &CreditNote) -> Vec<u8> {
    let mut facts = vec![
        cn.reason.label().to_string(),
        format!("Issued {}", day(cn.created_at)),
    ];
    if let Some(n) = &cn.invoice_number {
        facts.push(format!("Credits invoice {n}"));
    }
    facts.push(format!("Currency: {}", cn.total.currency().code()));
    let mut totals = Vec::new();
    if !cn.to_card.is_zero() {
        totals.push(("Refunded to card".to_string(), cn.to_card));
    }
    if !cn.to_balance.is_zero() {
        totals.push(("Credited to balance".to_string(), cn.to_balance));
    }
    totals.push(("Total credited".to_string(), cn.total));
    render(Sheet {
        title: "Credit note",
        number: &cn.number,
        facts,
        seller: Some(&cn.seller),
        buyer: Some(&cn.buyer),
        buyer_fallback: "",
        lines: &cn.lines,
        totals,
        note: "This credit note reduces what was invoiced; keep it with the invoice it credits."
            .into(),
    })
}
