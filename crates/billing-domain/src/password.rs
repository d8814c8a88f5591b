//! The rules a new password must meet (SPEC §14): the API enforces them,
//! the SPA states them beside the field, and both read them from here.

/// The fewest characters a new password may have.
pub const MIN_CHARS: usize = 12;
/// The most characters a new password may have.
pub const MAX_CHARS: usize = 128;

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("Use at least 12 characters.")]
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    #[error("Use at most 128 characters.")]
    TooLong,
    /// The user's own e-mail address.
    #[error("Choose a password other than your email address.")]
    IsEmail,
}

impl PasswordProblem {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "too_short",
            PasswordProblem::TooLong => "too_long",
            PasswordProblem::IsEmail => "same_as_email",
        }
    }
}

/// Checks a new password for the user with this e-mail. Length counts
/// characters, not bytes; spaces count, so a passphrase is welcome.
pub fn check_new_password(password: &str, email: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(PasswordProblem::IsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_is_twelve_to_128_characters_and_not_the_email() {
        let email = "olivia@acme.test";
        let cases = [
            ("", Err(PasswordProblem::TooShort)),
            ("elevenchars", Err(PasswordProblem::TooShort)),
            ("twelve chars", Ok(())),
            ("ééééééééééé", Err(PasswordProblem::TooShort)),
            ("éééééééééééé", Ok(())),
            ("Olivia@Acme.test", Err(PasswordProblem::IsEmail)),
            ("correct horse battery staple", Ok(())),
        ];
        for (password, expected) in cases {
            assert_eq!(check_new_password(password, email), expected, "{password}");
        }
        assert_eq!(check_new_password(&"x".repeat(128), email), Ok(()));
        assert_eq!(
            check_new_password(&"x".repeat(129), email),
            Err(PasswordProblem::TooLong)
        );
    }
}
