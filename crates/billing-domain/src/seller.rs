//! The seller: the vendor's legal details printed on every invoice and
//! credit note, and the prefixes of their numbers (SPEC §12, read from
//! `BILLING_SELLER`).

use crate::billing_details::FieldError;
use crate::countries;
use crate::email;
use crate::wire::{InvoiceParty, PostalAddress};
use serde::Deserialize;

/// `config/seller.toml` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellerFile {
    pub legal_name: String,
    pub support_email: String,
    pub tax_id: String,
    /// Before each invoice number, e.g. `INV-` for `INV-000123`.
    pub invoice_prefix: String,
    /// Before each credit note number (default `CN-`).
    #[serde(default)]
    pub credit_note_prefix: Option<String>,
    pub address: PostalAddress,
}

/// The checked seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    pub legal_name: String,
    pub support_email: String,
    pub tax_id: String,
    pub invoice_prefix: String,
    pub credit_note_prefix: String,
    pub address: PostalAddress,
}

/// Digits in a document number after its prefix (`INV-000123`).
pub const NUMBER_DIGITS: usize = 6;

/// A document number: the prefix and the sequence number, zero-padded.
pub fn document_number(prefix: &str, seq: i64) -> String {
    format!("{prefix}{seq:0width$}", width = NUMBER_DIGITS)
}

fn prefix_ok(p: &str) -> bool {
    (1..=12).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/')
}

fn bad(param: &str, message: String) -> FieldError {
    FieldError {
        param: param.into(),
        code: "invalid",
        message,
    }
}

impl Seller {
    /// Checks the file: every field present and well formed.
    pub fn from_file(f: SellerFile) -> Result<Seller, FieldError> {
        let required = |param: &str, v: &str| {
            if v.trim().is_empty() || v.chars().count() > 200 {
                Err(bad(param, format!("`{param}` must be 1 to 200 characters")))
            } else {
                Ok(v.trim().to_string())
            }
        };
        let credit_note_prefix = f.credit_note_prefix.unwrap_or_else(|| "CN-".into());
        for (param, p) in [
            ("invoice_prefix", &f.invoice_prefix),
            ("credit_note_prefix", &credit_note_prefix),
        ] {
            if !prefix_ok(p) {
                return Err(bad(
                    param,
                    format!("`{param}` must be 1 to 12 of A-Z, 0-9, `-` and `/`, not `{p}`"),
                ));
            }
        }
        if f.invoice_prefix == credit_note_prefix {
            return Err(bad(
                "credit_note_prefix",
                "`credit_note_prefix` must differ from `invoice_prefix`".into(),
            ));
        }
        let support_email = email::parse(&f.support_email)
            .map_err(|e| bad("support_email", format!("`support_email`: {e}")))?
            .to_string();
        if !countries::is_code(&f.address.country) {
            return Err(bad(
                "address.country",
                format!(
                    "`address.country` must be an ISO 3166-1 alpha-2 code, not `{}`",
                    f.address.country
                ),
            ));
        }
        Ok(Seller {
            legal_name: required("legal_name", &f.legal_name)?,
            support_email,
            tax_id: required("tax_id", &f.tax_id)?,
            address: PostalAddress {
                line1: required("address.line1", &f.address.line1)?,
                line2: f.address.line2.filter(|l| !l.trim().is_empty()),
                city: required("address.city", &f.address.city)?,
                region: f.address.region.filter(|r| !r.trim().is_empty()),
                postal_code: required("address.postal_code", &f.address.postal_code)?,
                country: f.address.country,
            },
            invoice_prefix: f.invoice_prefix,
            credit_note_prefix,
        })
    }

    /// The seller as printed on a document.
    pub fn party(&self) -> InvoiceParty {
        InvoiceParty {
            legal_name: self.legal_name.clone(),
            email: self.support_email.clone(),
            address: Some(self.address.clone()),
            tax_id: Some(self.tax_id.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> SellerFile {
        toml::from_str(include_str!("../../../config/seller.toml")).unwrap()
    }

    #[test]
    fn the_shipped_seller_file_is_valid() {
        let s = Seller::from_file(file()).unwrap();
        assert_eq!(s.invoice_prefix, "INV-");
        assert_eq!(document_number(&s.invoice_prefix, 123), "INV-000123");
    }

    #[test]
    fn a_bad_seller_file_names_the_field() {
        let mut f = file();
        f.invoice_prefix = "inv ".into();
        assert_eq!(Seller::from_file(f).unwrap_err().param, "invoice_prefix");
        let mut f = file();
        f.support_email = "nope".into();
        assert_eq!(Seller::from_file(f).unwrap_err().param, "support_email");
        let mut f = file();
        f.address.country = "XX".into();
        assert_eq!(Seller::from_file(f).unwrap_err().param, "address.country");
        let mut f = file();
        f.credit_note_prefix = Some("INV-".into());
        assert_eq!(
            Seller::from_file(f).unwrap_err().param,
            "credit_note_prefix"
        );
    }
}
