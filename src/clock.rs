//! The browser's "now", for the few views that compare against the time,
//! such as card expiry checks (grace days are counted on the account's own
//! clock, the overview's `as_of`). Domain functions take it as a parameter;
//! this is where the SPA reads it.

use chrono::{DateTime, Utc};

/// The current time according to the browser.
pub fn now() -> DateTime<Utc> {
    let millis = js_sys::Date::now() as i64;
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}
