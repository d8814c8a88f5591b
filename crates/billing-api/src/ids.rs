//! Identifiers: a readable prefix naming their kind, then the time they
//! were made and randomness, e.g. `acct_0193f1c2a4b5e1d7c9a0f3b2`.
//!
//! The time comes first (milliseconds, fixed width), so ids sort by when
//! they were made: rows inserted together land together in the tables'
//! indexes instead of all over them, which keeps each commit to few pages
//! however large the tables grow. Six random bytes keep ids made in the
//! same millisecond apart. Ids name things; they are not secrets.

use rand::RngCore;

/// A new identifier with a readable prefix, e.g. `acct_0193f1c2a4b5…`.
pub fn new_id(prefix: &str) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut random = [0u8; 6];
    rand::thread_rng().fill_bytes(&mut random);
    format!(
        "{prefix}_{:012x}{}",
        millis & 0xffff_ffff_ffff,
        hex::encode(random)
    )
}

/// The random part of an id (its last twelve characters).
pub fn random_part(id: &str) -> &str {
    &id[id.len().saturating_sub(12)..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_differ() {
        let a = new_id("in");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id("in");
        assert!(a < b, "{a} then {b}");
        assert!(a.starts_with("in_") && a.len() == 3 + 24);
        let many: std::collections::HashSet<String> = (0..10_000).map(|_| new_id("x")).collect();
        assert_eq!(many.len(), 10_000);
    }
}
