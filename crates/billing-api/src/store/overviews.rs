//! Overviews kept by account beside the number they were read with (the
//! account's `reads_version`, which the database moves in the same
//! transaction as every change to what an overview reads). An overview is
//! served again only to a request whose own read of the session shows the
//! same number, so it is exactly what a fresh read at that moment would
//! return; anything else is a miss and is read afresh.

use crate::store::OverviewRecord;
use std::collections::HashMap;
use std::sync::Mutex;

/// At most this many accounts are kept; when full, the map starts over.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub(super) struct Overviews {
    entries: Mutex<HashMap<String, (i64, OverviewRecord)>>,
}

impl std::fmt::Debug for Overviews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("Overviews").field("kept", &kept).finish()
    }
}

impl Overviews {
    /// The account's overview if it was read at `version`.
    pub(super) fn get(&self, account_id: &str, version: i64) -> Option<OverviewRecord> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(account_id) {
            Some((kept, record)) if *kept == version => Some(record.clone()),
            _ => None,
        }
    }

    /// Keeps `record`, read at `version`, unless a later one is kept.
    pub(super) fn put(&self, account_id: &str, version: i64, record: &OverviewRecord) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((kept, _)) = entries.get(account_id) {
            if *kept > version {
                return;
            }
        } else if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(account_id.to_string(), (version, record.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SubscriptionRecord;

    fn record(seats: u32) -> OverviewRecord {
        let subscription: SubscriptionRecord = serde_json::from_value(serde_json::json!({
            "account_id": "acct_1", "plan": "business", "interval": "month", "seats": seats,
            "add_ons": [], "status": "active", "billing_anchor": "2026-01-01T00:00:00Z",
            "current_period_start": "2026-01-01T00:00:00Z",
            "current_period_end": "2026-02-01T00:00:00Z", "currency": "USD",
            "credit_balance": 0, "credit_held": 0, "version": 1, "pause_billed": false,
            "paused": false, "period_discount": 0
        }))
        .expect("a subscription record");
        OverviewRecord {
            subscription,
            seat_holders: vec![],
            payment_method: None,
            open_invoices: vec![],
        }
    }

    #[test]
    fn served_only_at_the_version_it_was_read_with() {
        let kept = Overviews::default();
        kept.put("acct_1", 3, &record(5));
        assert_eq!(kept.get("acct_1", 3).map(|r| r.subscription.seats), Some(5));
        assert!(kept.get("acct_1", 4).is_none());
        assert!(kept.get("acct_2", 3).is_none());
        // An older read does not replace a newer one.
        kept.put("acct_1", 2, &record(7));
        assert_eq!(kept.get("acct_1", 3).map(|r| r.subscription.seats), Some(5));
        kept.put("acct_1", 4, &record(6));
        assert!(kept.get("acct_1", 3).is_none());
        assert_eq!(kept.get("acct_1", 4).map(|r| r.subscription.seats), Some(6));
    }
}
