//! Sign-in throttling (SPEC §14): attempts are counted per e-mail from one
//! client, and more loosely per e-mail from anywhere. After a few attempts
//! without a success each further one must wait, twice as long each time;
//! a success resets the count. A client that signed in as this e-mail
//! before is spared the per-e-mail wait, so someone guessing from elsewhere
//! cannot lock the real user out.
//!
//! The counters live in the store, so every instance on one database shares
//! them. An attempt is counted when it starts (compare-and-swap on the
//! counter's version), so a burst of parallel guesses gets no more tries
//! than a sequence. Unknown e-mails are counted exactly as known ones.

use crate::services::error::{ServiceError, ServiceResult};
use crate::store::{Store, ThrottleRecord};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// When attempts under one key start to wait, and how long at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts without a success taken with no wait; the last of them
    /// starts the first wait.
    pub free_attempts: i64,
    /// The first wait; each further attempt doubles it.
    pub first_wait_secs: i64,
    /// The longest wait.
    pub max_wait_secs: i64,
}

/// Per e-mail from one client: the fifth failure in a row waits 1 s, then
/// 2 s, 4 s, … up to 15 minutes.
pub const PER_CLIENT: Policy = Policy {
    free_attempts: 5,
    first_wait_secs: 1,
    max_wait_secs: 15 * 60,
};

/// Per e-mail from every client not known for it: looser, against guessing
/// spread over many addresses.
pub const PER_EMAIL: Policy = Policy {
    free_attempts: 20,
    first_wait_secs: 1,
    max_wait_secs: 15 * 60,
};

/// Attempts older than this without a newer one are forgotten.
pub const FORGET_AFTER_HOURS: i64 = 24;

/// How long a client stays known for an e-mail after signing in as it.
pub const KNOWN_CLIENT_DAYS: i64 = 30;

impl Policy {
    /// The wait after the `attempts`-th attempt without a success.
    pub fn wait_after(&self, attempts: i64) -> Duration {
        if attempts < self.free_attempts {
            return Duration::zero();
        }
        let doublings = (attempts - self.free_attempts).min(30) as u32;
        let secs = self
            .first_wait_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_wait_secs);
        Duration::seconds(secs)
    }
}

/// The counter after an attempt starts at `now`, or the moment before which
/// no attempt is taken.
pub fn start_attempt(
    old: Option<&ThrottleRecord>,
    key: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<ThrottleRecord, DateTime<Utc>> {
    if let Some(old) = old {
        if old.blocked_until > now {
            return Err(old.blocked_until);
        }
    }
    let earlier = old
        .filter(|o| now - o.updated_at < Duration::hours(FORGET_AFTER_HOURS))
        .map_or(0, |o| o.attempts);
    let attempts = earlier + 1;
    Ok(ThrottleRecord {
        key: key.to_string(),
        attempts,
        blocked_until: now + policy.wait_after(attempts),
        updated_at: now,
        succeeded_at: old.and_then(|o| o.succeeded_at),
        version: old.map_or(0, |o| o.version),
    })
}

/// The counter after a success at `now`: nothing counted, nothing to wait.
pub fn succeed(key: &str, now: DateTime<Utc>, old: Option<&ThrottleRecord>) -> ThrottleRecord {
    ThrottleRecord {
        key: key.to_string(),
        attempts: 0,
        blocked_until: now,
        updated_at: now,
        succeeded_at: Some(now),
        version: old.map_or(0, |o| o.version),
    }
}

/// Whether the counter shows a success recent enough to spare the client
/// the per-e-mail wait.
pub fn is_known(record: Option<&ThrottleRecord>, now: DateTime<Utc>) -> bool {
    record
        .and_then(|r| r.succeeded_at)
        .is_some_and(|at| now - at < Duration::days(KNOWN_CLIENT_DAYS))
}

/// The keys of one attempt: hashes, so the store holds no e-mail or address.
#[derive(Debug, Clone)]
pub struct Keys {
    /// The e-mail from this client.
    pub client: String,
    /// The e-mail from anywhere.
    pub email: String,
}

impl Keys {
    /// The keys of `email` (normalized: trimmed, lower case) from `client`.
    pub fn new(email: &str, client: &str) -> Keys {
        let email = email.trim().to_lowercase();
        let hash = |text: String| hex::encode(Sha256::digest(text.as_bytes()));
        Keys {
            client: hash(format!("sign-in\0{email}\0{client}")),
            email: hash(format!("sign-in\0{email}")),
        }
    }
}

/// How many times a swap is retried when other attempts keep winning.
const SWAP_TRIES: usize = 16;

/// Counts an attempt under both keys, or refuses it with the moment it may
/// be made. The per-e-mail key is skipped for a client known for the e-mail.
pub async fn begin(store: &dyn Store, keys: &Keys, now: DateTime<Utc>) -> ServiceResult<()> {
    let client = store.throttle(&keys.client).await?;
    let email = store.throttle(&keys.email).await?;
    let known = is_known(client.as_ref(), now);
    // Refused by either: nothing is counted.
    let blocked = [Some(&client), (!known).then_some(&email)]
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_ref())
        .map(|r| r.blocked_until)
        .filter(|until| *until > now)
        .max();
    if let Some(until) = blocked {
        return Err(throttled(until, now));
    }
    count(store, &keys.client, client, now, &PER_CLIENT).await?;
    if !known {
        count(store, &keys.email, email, now, &PER_EMAIL).await?;
    }
    Ok(())
}

/// A success: both counters start again, and this client is known for the e-mail.
pub async fn succeeded(store: &dyn Store, keys: &Keys, now: DateTime<Utc>) -> ServiceResult<()> {
    for key in [&keys.client, &keys.email] {
        for _ in 0..SWAP_TRIES {
            let old = store.throttle(key).await?;
            if store
                .swap_throttle(old.as_ref(), &succeed(key, now, old.as_ref()))
                .await?
            {
                break;
            }
        }
    }
    Ok(())
}

async fn count(
    store: &dyn Store,
    key: &str,
    mut old: Option<ThrottleRecord>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> ServiceResult<()> {
    for _ in 0..SWAP_TRIES {
        let new = start_attempt(old.as_ref(), key, now, policy).map_err(|u| throttled(u, now))?;
        if store.swap_throttle(old.as_ref(), &new).await? {
            return Ok(());
        }
        old = store.throttle(key).await?;
    }
    // Others kept winning: so many attempts at once are refused as a burst.
    Err(throttled(now + Duration::seconds(1), now))
}

fn throttled(until: DateTime<Utc>, now: DateTime<Utc>) -> ServiceError {
    ServiceError::Throttled {
        retry_after_secs: (until - now).num_seconds().max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn waits_start_at_the_fifth_attempt_and_double_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (1..=16)
            .map(|n| PER_CLIENT.wait_after(n).num_seconds())
            .collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        );
        assert_eq!(PER_CLIENT.wait_after(10_000).num_seconds(), 900);
        assert_eq!(PER_EMAIL.wait_after(19).num_seconds(), 0);
        assert_eq!(PER_EMAIL.wait_after(20).num_seconds(), 1);
    }

    #[test]
    fn a_blocked_key_refuses_until_its_moment_and_counts_nothing() {
        let mut record: Option<ThrottleRecord> = None;
        for n in 1..=5 {
            let next = start_attempt(record.as_ref(), "k", t(0), &PER_CLIENT).unwrap();
            assert_eq!(next.attempts, n);
            record = Some(next);
        }
        assert_eq!(record.as_ref().unwrap().blocked_until, t(1));
        assert_eq!(
            start_attempt(record.as_ref(), "k", t(0), &PER_CLIENT),
            Err(t(1))
        );
        let sixth = start_attempt(record.as_ref(), "k", t(1), &PER_CLIENT).unwrap();
        assert_eq!((sixth.attempts, sixth.blocked_until), (6, t(3)));
    }

    #[test]
    fn attempts_are_forgotten_after_a_quiet_day_and_reset_by_a_success() {
        let mut old = start_attempt(None, "k", t(0), &PER_CLIENT).unwrap();
        old.attempts = 9;
        old.blocked_until = t(10);
        let later = t(FORGET_AFTER_HOURS * 3600);
        assert_eq!(
            start_attempt(Some(&old), "k", later, &PER_CLIENT)
                .unwrap()
                .attempts,
            1
        );
        let reset = succeed("k", t(20), Some(&old));
        assert_eq!((reset.attempts, reset.blocked_until), (0, t(20)));
        assert!(is_known(Some(&reset), t(20)));
        assert!(!is_known(Some(&reset), t(20 + KNOWN_CLIENT_DAYS * 86_400)));
        assert!(!is_known(Some(&old), t(20)));
    }

    #[test]
    fn keys_ignore_case_and_spaces_and_name_no_email() {
        let a = Keys::new(" Owner@Example.TEST ", "10.0.0.1");
        let b = Keys::new("owner@example.test", "10.0.0.1");
        let c = Keys::new("owner@example.test", "10.0.0.2");
        assert_eq!((&a.client, &a.email), (&b.client, &b.email));
        assert_ne!(a.client, c.client);
        assert_eq!(a.email, c.email);
        assert!(!a.client.contains("owner") && a.client.len() == 64);
    }
}
