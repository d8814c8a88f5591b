//! Identifiers: random, with a readable prefix naming their kind.

use rand::RngCore;

/// A new random identifier with a readable prefix, e.g. `acct_3f9c…`.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}
