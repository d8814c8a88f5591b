//! Hashes of secrets: passwords (argon2id), session and reset tokens
//! (SHA-256), and the decoy hash that makes an unknown e-mail cost what a
//! known one does.

use crate::config::Mode;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Hashes a test account's password with argon2id at the lowest cost: its
/// accounts exist only in test mode, where thousands are made per run and
/// the password is handed back in the response anyway. Verification reads
/// the cost from the hash, so sign-in works the same.
pub fn hash_test_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let params = argon2::Params::new(256, 1, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Whether `password` matches a stored argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

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
