//! What an e-mail address must look like where the API takes one (signing
//! in, asking for a password reset): the rule the API enforces, and the
//! same rule as the OpenAPI schema's pattern.

/// The most characters an address may have (with any spaces around it).
pub const MAX_CHARS: usize = 254;

/// The rule as a JSON-Schema pattern: spaces may surround `local@domain`,
/// neither part may be empty or hold a space or another `@`. (Plain
/// characters only, so every regex dialect reads it the same.)
pub const PATTERN: &str = "^ *[^ @]+@[^ @]+ *$";

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailProblem {
    /// Nothing was entered.
    #[error("Enter your email address.")]
    Missing,
    /// Not `local@domain`, or too long.
    #[error("Enter a valid email address.")]
    Malformed,
}

impl EmailProblem {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            EmailProblem::Missing => "required",
            EmailProblem::Malformed => "invalid_email",
        }
    }
}

/// The address without the spaces around it, if it has the shape of one.
pub fn parse(input: &str) -> Result<&str, EmailProblem> {
    let address = input.trim_matches(' ');
    if address.is_empty() {
        return Err(EmailProblem::Missing);
    }
    if input.chars().count() > MAX_CHARS {
        return Err(EmailProblem::Malformed);
    }
    let part_ok = |p: &str| !p.is_empty() && !p.contains([' ', '@']);
    match address.split_once('@') {
        Some((local, domain)) if part_ok(local) && part_ok(domain) => Ok(address),
        _ => Err(EmailProblem::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_local_at_domain_with_optional_spaces_around() {
        assert_eq!(parse("  Owner@Acme.test "), Ok("Owner@Acme.test"));
        assert_eq!(parse("a@b"), Ok("a@b"));
        assert_eq!(parse(""), Err(EmailProblem::Missing));
        assert_eq!(parse("   "), Err(EmailProblem::Missing));
        for bad in ["owner", "@acme.test", "owner@", "a@b@c", "a b@c", "a@b c"] {
            assert_eq!(parse(bad), Err(EmailProblem::Malformed), "{bad}");
        }
        let long = format!("{}@b", "a".repeat(MAX_CHARS - 2));
        assert_eq!(parse(&long), Ok(long.as_str()));
        assert_eq!(parse(&format!("a{long}")), Err(EmailProblem::Malformed));
    }
}
