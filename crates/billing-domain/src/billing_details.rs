//! The rules of the buyer's billing details (SPEC §12): what a `PUT` may
//! hold, checked once at the edge so nothing past it re-checks.

use crate::countries;
use crate::email;
use crate::wire::{BillingDetails, PostalAddress, UpdateBillingDetailsRequest};

/// The most CC addresses.
pub const MAX_CC: usize = 10;

/// A field that breaks a rule: its path (`address.country`, `cc[1]`), a
/// stable code and words for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub param: String,
    pub code: &'static str,
    pub message: String,
}

fn field_error(param: impl Into<String>, code: &'static str, message: String) -> FieldError {
    FieldError {
        param: param.into(),
        code,
        message,
    }
}

/// A required text: trimmed, not blank, at most `max` characters as sent.
fn text(param: &str, value: &str, max: usize) -> Result<String, FieldError> {
    if value.chars().count() > max {
        return Err(field_error(
            param,
            "too_long",
            format!("`{param}` may have at most {max} characters."),
        ));
    }
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(field_error(
            param,
            "required",
            format!("`{param}` must not be empty."),
        ));
    }
    Ok(trimmed.to_string())
}

/// An optional text: absent stays absent; present, as [`text`].
fn optional(param: &str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    value.map(|v| text(param, v, max)).transpose()
}

fn address_of(param: &str, value: &str) -> Result<String, FieldError> {
    email::parse(value).map(str::to_string).map_err(|e| {
        field_error(
            param,
            e.code(),
            format!("`{param}`: {}", e.to_string().to_lowercase()),
        )
    })
}

fn postal(a: &PostalAddress) -> Result<PostalAddress, FieldError> {
    let country = a.country.as_str();
    if !countries::is_code(country) {
        return Err(field_error(
            "address.country",
            "invalid_country",
            format!("`address.country` must be an ISO 3166-1 alpha-2 code such as US or DE, not `{country}`."),
        ));
    }
    Ok(PostalAddress {
        line1: text("address.line1", &a.line1, 200)?,
        line2: optional("address.line2", a.line2.as_deref(), 200)?,
        city: text("address.city", &a.city, 100)?,
        region: optional("address.region", a.region.as_deref(), 100)?,
        postal_code: text("address.postal_code", &a.postal_code, 20)?,
        country: country.to_string(),
    })
}

/// The details a `PUT` sets, or the first field that breaks a rule.
pub fn parse(req: &UpdateBillingDetailsRequest) -> Result<BillingDetails, FieldError> {
    let legal_name = text("legal_name", &req.legal_name, 200)?;
    let email = address_of("email", &req.email)?;
    if req.cc.len() > MAX_CC {
        return Err(field_error(
            "cc",
            "too_many",
            format!("`cc` may hold at most {MAX_CC} addresses."),
        ));
    }
    let mut cc: Vec<String> = Vec::with_capacity(req.cc.len());
    for (i, raw) in req.cc.iter().enumerate() {
        let param = format!("cc[{i}]");
        let addr = address_of(&param, raw)?;
        let lower = addr.to_lowercase();
        if lower == email.to_lowercase() || cc.iter().any(|c| c.to_lowercase() == lower) {
            return Err(field_error(
                param.clone(),
                "duplicate_email",
                format!("`{param}` repeats an address already listed."),
            ));
        }
        cc.push(addr);
    }
    Ok(BillingDetails {
        legal_name,
        email,
        cc,
        address: Some(postal(&req.address)?),
        tax_id: optional("tax_id", req.tax_id.as_deref(), 50)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> UpdateBillingDetailsRequest {
        UpdateBillingDetailsRequest {
            legal_name: " Acme Corp. ".into(),
            email: "billing@acme.test".into(),
            cc: vec!["cfo@acme.test".into()],
            address: PostalAddress {
                line1: "1 Main St".into(),
                line2: None,
                city: "Springfield".into(),
                region: Some("IL".into()),
                postal_code: "62701".into(),
                country: "US".into(),
            },
            tax_id: Some("US12-3456789".into()),
        }
    }

    #[test]
    fn good_details_are_kept_trimmed() {
        let d = parse(&good()).unwrap();
        assert_eq!(d.legal_name, "Acme Corp.");
        assert_eq!(d.cc, vec!["cfo@acme.test".to_string()]);
        assert_eq!(d.address.unwrap().country, "US");
    }

    type Break = Box<dyn Fn(&mut UpdateBillingDetailsRequest)>;

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases: Vec<(Break, &str, &str)> = vec![
            (
                Box::new(|r| r.legal_name = "  ".into()),
                "legal_name",
                "required",
            ),
            (
                Box::new(|r| r.legal_name = "a".repeat(201)),
                "legal_name",
                "too_long",
            ),
            (
                Box::new(|r| r.email = "nope".into()),
                "email",
                "invalid_email",
            ),
            (
                Box::new(|r| r.cc = vec!["a@b.test".into(), "bad".into()]),
                "cc[1]",
                "invalid_email",
            ),
            (
                Box::new(|r| r.cc = vec!["BILLING@acme.test".into()]),
                "cc[0]",
                "duplicate_email",
            ),
            (
                Box::new(|r| r.cc = (0..11).map(|i| format!("u{i}@acme.test")).collect()),
                "cc",
                "too_many",
            ),
            (
                Box::new(|r| r.address.country = "UK".into()),
                "address.country",
                "invalid_country",
            ),
            (
                Box::new(|r| r.address.country = "us".into()),
                "address.country",
                "invalid_country",
            ),
            (
                Box::new(|r| r.address.city = "".into()),
                "address.city",
                "required",
            ),
            (
                Box::new(|r| r.address.line2 = Some(" ".into())),
                "address.line2",
                "required",
            ),
            (
                Box::new(|r| r.address.postal_code = "1".repeat(21)),
                "address.postal_code",
                "too_long",
            ),
            (
                Box::new(|r| r.tax_id = Some("x".repeat(51))),
                "tax_id",
                "too_long",
            ),
        ];
        for (break_it, param, code) in cases {
            let mut req = good();
            break_it(&mut req);
            let err = parse(&req).unwrap_err();
            assert_eq!((err.param.as_str(), err.code), (param, code), "{err:?}");
        }
    }
}
