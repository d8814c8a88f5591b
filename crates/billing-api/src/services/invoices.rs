//! Invoices: reading them as the portal shows them, and their PDF.

use crate::mail::templates::{date, invoice_number};
use crate::services::actor::Actor;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord};
use billing_domain::wire::{Invoice, InvoiceList};
use billing_domain::{Money, Permission};

/// The wire form of a stored invoice.
pub fn to_wire(inv: InvoiceRecord, account: &AccountRecord) -> Invoice {
    Invoice {
        number: invoice_number(&inv),
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
    }
}

/// Text for a PDF string literal: printable ASCII only, with `(`, `)` and
/// `\` escaped (the built-in Helvetica has no glyphs beyond Latin-1 here).
fn pdf_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '×' => out.push('x'),
            '–' | '—' => out.push('-'),
            '€' => out.push_str("EUR "),
            '£' => out.push_str("GBP "),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// A one-page PDF of the invoice: a minimal PDF 1.4 with the standard
/// Helvetica fonts, written by hand to keep the server free of a PDF engine.
pub fn render_pdf(inv: &Invoice) -> Vec<u8> {
    let mut ops = String::new();
    fn put(ops: &mut String, x: f32, y: f32, size: u32, bold: bool, s: &str) {
        let font = if bold { "F2" } else { "F1" };
        ops.push_str(&format!(
            "BT /{font} {size} Tf {x:.1} {y:.1} Td ({}) Tj ET\n",
            pdf_text(s)
        ));
    }
    put(&mut ops, 50.0, 780.0, 22, true, "Invoice");
    put(&mut ops, 400.0, 786.0, 11, true, &inv.number);
    put(
        &mut ops,
        400.0,
        770.0,
        10,
        false,
        &format!("Status: {}", inv.status.label()),
    );
    put(
        &mut ops,
        50.0,
        750.0,
        11,
        false,
        &format!("Billed to: {}", inv.account_name),
    );
    put(
        &mut ops,
        50.0,
        734.0,
        10,
        false,
        &format!("Issued {}", date(inv.created_at)),
    );
    if let (Some(s), Some(e)) = (inv.period_start, inv.period_end) {
        put(
            &mut ops,
            50.0,
            720.0,
            10,
            false,
            &format!("Service period {} - {}", date(s), date(e)),
        );
    }
    if let Some(paid) = inv.paid_at {
        put(
            &mut ops,
            50.0,
            706.0,
            10,
            false,
            &format!("Paid {}", date(paid)),
        );
    }
    put(&mut ops, 50.0, 670.0, 10, true, "Description");
    put(&mut ops, 390.0, 670.0, 10, true, "Qty");
    put(&mut ops, 480.0, 670.0, 10, true, "Amount");
    ops.push_str("0.6 w 50 664 m 545 664 l S\n");
    let mut y = 648.0;
    for line in &inv.lines {
        let mut desc = line.description.clone();
        if desc.chars().count() > 62 {
            desc = desc.chars().take(60).collect::<String>() + "...";
        }
        put(&mut ops, 50.0, y, 10, false, &desc);
        put(&mut ops, 390.0, y, 10, false, &line.quantity.to_string());
        put(&mut ops, 480.0, y, 10, false, &line.amount.format());
        y -= 18.0;
        if y < 120.0 {
            put(&mut ops, 50.0, y, 10, false, "(more lines in the portal)");
            y -= 18.0;
            break;
        }
    }
    ops.push_str(&format!(
        "0.6 w 50 {:.1} m 545 {:.1} l S\n",
        y + 8.0,
        y + 8.0
    ));
    put(&mut ops, 390.0, y - 10.0, 12, true, "Total");
    put(&mut ops, 480.0, y - 10.0, 12, true, &inv.total.format());
    put(
        &mut ops,
        50.0,
        60.0,
        8,
        false,
        "Amounts in minor-unit precision; prorated lines are computed per second of the period.",
    );

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{ops}endstream", ops.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A page of the account's invoices, newest first: at most `limit` (1–100)
/// after the invoice `starting_after`.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> ServiceResult<InvoiceList> {
    actor.require(Permission::BillingRead)?;
    page(state, &actor.account, limit, starting_after).await
}

/// A page of the account's invoices, newest first: at most `limit` (1–100,
/// default 20) after the invoice `starting_after`. Whoever asks has been
/// allowed to read them.
pub async fn page(
    state: &AppState,
    account: &AccountRecord,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> ServiceResult<InvoiceList> {
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ServiceError::invalid(
            "limit",
            "out_of_range",
            "`limit` must be between 1 and 100.",
        ));
    }
    let mut page = state
        .store
        .invoices(&account.id, limit + 1, starting_after)
        .await?;
    let has_more = page.len() as i64 > limit;
    page.truncate(limit as usize);
    Ok(InvoiceList {
        data: page.into_iter().map(|i| to_wire(i, account)).collect(),
        has_more,
    })
}

/// One invoice of the actor's account. Another account's invoice is "not
/// found": ids are not probed.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ServiceResult<Invoice> {
    let inv = state
        .store
        .invoice(id)
        .await?
        .filter(|i| i.account_id == actor.account.id)
        .ok_or(ServiceError::NotFound("invoice"))?;
    actor.require(Permission::BillingRead)?;
    Ok(to_wire(inv, &actor.account))
}
