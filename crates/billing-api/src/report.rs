//! `billing-api report save-rate --from DATE --to DATE`: the vendor's
//! save-rate report over wizard runs started in `[from, to)`.

use crate::store::{SaveRate, Store};
use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, Utc};

/// Parses `--from YYYY-MM-DD --to YYYY-MM-DD` (to is exclusive).
pub fn parse_range(args: &[String]) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>)> {
    let mut from = None;
    let mut to = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .with_context(|| format!("{flag} needs a date (YYYY-MM-DD)"))?;
        let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .with_context(|| format!("{flag}: `{value}` is not YYYY-MM-DD"))?;
        let at = date
            .and_hms_opt(0, 0, 0)
            .context("midnight exists")?
            .and_utc();
        match flag.as_str() {
            "--from" => from = Some(at),
            "--to" => to = Some(at),
            other => bail!("unknown option {other}; use --from and --to"),
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        bail!("usage: billing-api report save-rate --from YYYY-MM-DD --to YYYY-MM-DD");
    };
    if to <= from {
        bail!("--to must be after --from");
    }
    Ok((from, to))
}

/// The report as text for people.
pub fn render(r: &SaveRate, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let saved: i64 = r.saves_by_offer.iter().map(|(_, n)| n).sum();
    let canceled: i64 = r.cancellations_by_reason.iter().map(|(_, n)| n).sum();
    let rate = if r.starts > 0 {
        saved as f64 * 100.0 / r.starts as f64
    } else {
        0.0
    };
    let mut out = format!(
        "Save-rate report, {} to {} (exclusive)\n\nWizard starts:   {}\nSaved by offers: {saved} ({rate:.1}% of starts)\n  of which paused: {}, meetings: {}\nCancellations:   {canceled}\n",
        from.format("%Y-%m-%d"),
        to.format("%Y-%m-%d"),
        r.starts,
        r.pauses,
        r.meetings,
    );
    out.push_str("\nSaves by offer:\n");
    for (offer, n) in &r.saves_by_offer {
        out.push_str(&format!("  {offer:<28} {n}\n"));
    }
    out.push_str("\nCancellations by reason:\n");
    for (reason, n) in &r.cancellations_by_reason {
        out.push_str(&format!("  {reason:<28} {n}\n"));
    }
    out
}

/// Runs the report against a store.
pub async fn save_rate(store: &dyn Store, args: &[String]) -> anyhow::Result<String> {
    let (from, to) = parse_range(args)?;
    let report = store.save_rate(from, to).await?;
    Ok(render(&report, from, to))
}
