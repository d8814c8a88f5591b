//! The seller and the buyer of an invoice or credit note, as they were
//! when it was issued.

use billing_domain::wire::InvoiceParty;
use leptos::prelude::*;

/// The lines of a party's address block.
pub fn party_lines(party: &InvoiceParty) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &party.address {
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
    if let Some(t) = &party.tax_id {
        out.push(format!("Tax ID: {t}"));
    }
    out.push(party.email.clone());
    out
}

/// "From" and "Billed to", side by side.
#[component]
pub fn InvoiceParties(
    /// The seller as of the issue (absent on old invoices).
    seller: Option<InvoiceParty>,
    /// The buyer as of the issue (absent on old invoices).
    buyer: Option<InvoiceParty>,
    /// Shown as the buyer when the document has no snapshot.
    fallback_buyer: String,
) -> impl IntoView {
    let block = |title: &'static str, party: Option<InvoiceParty>, fallback: String| {
        let (name, lines) = match party {
            Some(p) => (p.legal_name.clone(), party_lines(&p)),
            None => (fallback, Vec::new()),
        };
        view! {
            <section class="invoice__party" aria-label=title>
                <h2 class="invoice__party-title">{title}</h2>
                <p class="invoice__party-name">{name}</p>
                {lines.into_iter().map(|l| view! { <p class="invoice__party-line">{l}</p> }).collect_view()}
            </section>
        }
    };
    view! {
        <div class="invoice__parties">
            {block("From", seller, String::new())}
            {block("Billed to", buyer, fallback_buyer)}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use billing_domain::wire::PostalAddress;

    #[test]
    fn an_address_reads_as_a_block_with_the_tax_id_and_email() {
        let p = InvoiceParty {
            legal_name: "Acme".into(),
            email: "ap@acme.test".into(),
            address: Some(PostalAddress {
                line1: "1 Main St".into(),
                line2: None,
                city: "Springfield".into(),
                region: Some("IL".into()),
                postal_code: "62701".into(),
                country: "US".into(),
            }),
            tax_id: Some("US1".into()),
        };
        assert_eq!(
            party_lines(&p),
            [
                "1 Main St",
                "Springfield IL 62701",
                "US",
                "Tax ID: US1",
                "ap@acme.test"
            ]
        );
    }
}
