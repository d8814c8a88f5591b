//! Password rules beside the hashing in `auth`: the decoy hash that makes an
//! unknown e-mail cost what a known one does.

use crate::config::Mode;
use crate::services::auth::{hash_password, hash_test_password};
use std::sync::OnceLock;

/// A hash of a password nobody has, verified when the e-mail is unknown so
/// that a wrong e-mail and a wrong password take the same time. It costs
/// what the users' own hashes cost: the production cost, or in test mode
/// the lowest cost its accounts are made with.
pub fn decoy_hash(mode: Mode) -> &'static str {
    static PRODUCTION: OnceLock<String> = OnceLock::new();
    static TEST: OnceLock<String> = OnceLock::new();
    const DECOY: &str = "decoy password, never issued";
    match mode {
        Mode::Test => TEST.get_or_init(|| hash_test_password(DECOY).unwrap_or_default()),
        Mode::Production | Mode::Dev => {
            PRODUCTION.get_or_init(|| hash_password(DECOY).unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHash;

    /// The parameters (`m=…,t=…,p=…`) of a PHC-format hash.
    fn params(hash: &str) -> String {
        PasswordHash::new(hash).unwrap().params.to_string()
    }

    #[test]
    fn the_decoy_costs_what_the_users_hashes_cost() {
        let real = hash_password("a real password").unwrap();
        let test = hash_test_password("a test password").unwrap();
        assert_eq!(params(decoy_hash(Mode::Production)), params(&real));
        assert_eq!(params(decoy_hash(Mode::Dev)), params(&real));
        assert_eq!(params(decoy_hash(Mode::Test)), params(&test));
        assert_ne!(params(&real), params(&test));
    }
}
