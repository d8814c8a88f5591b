//! The audit log as people read it: each entry a sentence ("Olivia Owner
//! changed seats from 12 to 15 — charged $208.50") with its time, newest
//! first, and "Load more" for older pages.

use crate::api::{self, ApiError};
use crate::components::load_more_footer::LoadMoreFooter;
use crate::focus::focus_after_render;
use crate::format;
use billing_domain::change::{Pending, Terms};
use billing_domain::wire::{AuditLog, AuditLogEntry, CardBrand};
use billing_domain::{BillingAccess, Interval, Money};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How many entries one page holds.
pub const PAGE_SIZE: u32 = 25;

/// The list of entries, starting with `first_page`.
#[component]
pub fn AuditLogList(
    /// The first page of `GET /api/audit-log`.
    first_page: AuditLog,
) -> impl IntoView {
    if first_page.data.is_empty() {
        return view! {
            <div class="card empty-card">
                <p class="empty-state">"Nothing has happened yet."</p>
                <p class="muted">"Changes to the subscription, payments and billing access appear here."</p>
            </div>
        }
        .into_any();
    }

    let entries = RwSignal::new(first_page.data);
    let has_more = RwSignal::new(first_page.has_more);
    let load_more = Action::new_local(move |after: &String| {
        let after = after.clone();
        async move {
            let page = api::audit::audit_log(PAGE_SIZE, Some(&after)).await?;
            // Keyboard users continue from the first entry just loaded.
            let first_new = page.data.first().map(|entry| entry.id.clone());
            entries.update(|entries| entries.extend(page.data));
            has_more.set(page.has_more);
            if let Some(id) = first_new {
                focus_after_render(entry_dom_id(&id));
            }
            Ok::<(), ApiError>(())
        }
    });
    let pending = load_more.pending();
    let error = move || match load_more.value().get() {
        Some(Err(e)) if !pending.get() => Some(e.message),
        _ => None,
    };
    let on_load_more = move |_| {
        if pending.get_untracked() {
            return;
        }
        if let Some(last) = entries.with_untracked(|e| e.last().map(|entry| entry.id.clone())) {
            load_more.dispatch(last);
        }
    };

    view! {
        <div class="card card--flush">
            <ol class="audit-log" aria-label="Audit log entries">
                <For each=move || entries.get() key=|entry| entry.id.clone() let:entry>
                    <AuditLogItem entry />
                </For>
            </ol>
            <LoadMoreFooter
                count=Signal::derive(move || entries.with(Vec::len))
                noun=("entry", "entries")
                has_more
                pending
                error=Signal::derive(error)
                on_load_more=Callback::new(on_load_more)
            />
        </div>
    }
    .into_any()
}

/// One entry: who (an initial, or a mark for the system), the sentence and
/// when.
#[component]
fn AuditLogItem(entry: AuditLogEntry) -> impl IntoView {
    let sentence = describe(&entry);
    let who = match &entry.actor {
        Some(actor) => view! {
            <span class="avatar avatar--muted" aria-hidden="true">
                {actor.name.chars().next().map(|c| c.to_uppercase().to_string())}
            </span>
        }
        .into_any(),
        None => view! {
            <span class="avatar avatar--system" aria-hidden="true">
                "⟳"
            </span>
        }
        .into_any(),
    };
    let by = match &entry.actor {
        Some(actor) => format!("By {}", actor.name),
        None => "Automatic".to_string(),
    };
    view! {
        <li class="audit-entry" id=entry_dom_id(&entry.id) tabindex="-1">
            {who}
            <div class="audit-entry__text">
                <p class="audit-entry__sentence">{sentence}</p>
                <p class="audit-entry__meta">
                    <time datetime=entry.at.to_rfc3339()>{format::date_time(entry.at)}</time>
                    <span aria-hidden="true">" · "</span>
                    <span class="visually-hidden">", "</span>
                    {by}
                </p>
            </div>
        </li>
    }
}

fn entry_dom_id(id: &str) -> String {
    format!("audit-{id}")
}

/// A detail field as a domain type, if it is there and well formed.
fn field<T: DeserializeOwned>(details: &Value, name: &str) -> Option<T> {
    details
        .get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// A detail field as text.
fn text(details: &Value, name: &str) -> Option<String> {
    details
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A sum of money worth mentioning (not zero).
fn amount(details: &Value, name: &str) -> Option<Money> {
    field::<Money>(details, name).filter(|m| !m.is_zero())
}

/// The entry as a sentence; the action's own name when it is not one this
/// view knows.
pub fn describe(entry: &AuditLogEntry) -> String {
    let actor = entry.actor.as_ref().map(|a| a.name.as_str());
    let who = actor.unwrap_or("Someone");
    let d = &entry.details;
    let known = match entry.action.as_str() {
        "subscription.changed" => subscription_changed(who, d),
        "subscription.change_declined" => Some(match amount(d, "amount") {
            Some(m) => format!(
                "{who}'s change was not made: the charge of {} was declined",
                m.format()
            ),
            None => format!("{who}'s change was not made: the charge was declined"),
        }),
        "subscription.pending_change_undone" => Some(match text(d, "kind").as_deref() {
            Some("seats") => match d.get("was").and_then(Value::as_u64) {
                Some(n) => format!("{who} undid the scheduled drop to {n} seats"),
                None => format!("{who} undid the scheduled seat reduction"),
            },
            _ => format!("{who} undid the scheduled switch to monthly billing"),
        }),
        "subscription.created" => serde_json::from_value::<Terms>(d.clone())
            .ok()
            .map(|terms| match amount(d, "amount") {
                Some(m) => format!(
                    "The subscription started: {} — charged {}",
                    format::terms(&terms),
                    m.format()
                ),
                None => format!("The subscription started: {}", format::terms(&terms)),
            }),
        "subscription.renewed" => Some(renewed(d)),
        "invoice.paid" => Some(match (amount(d, "amount"), text(d, "card_last4")) {
            (Some(m), Some(last4)) => {
                format!("{} was paid with the card ending in {last4}", m.format())
            }
            (Some(m), None) => format!("{} was paid", m.format()),
            _ => "An invoice was paid".to_string(),
        }),
        "payment.declined" | "payment.retry_declined" => {
            let what = if entry.action == "payment.declined" {
                "A payment"
            } else {
                "A retried payment"
            };
            let of = amount(d, "amount")
                .map(|m| format!(" of {}", m.format()))
                .unwrap_or_default();
            let why = text(d, "reason")
                .map(|r| format!(": {}", r.trim_end_matches('.')))
                .unwrap_or_default();
            Some(format!("{what}{of} was declined{why}"))
        }
        "payment_method.updated" => {
            let card = match (
                text(d, "brand").as_deref().and_then(CardBrand::parse),
                text(d, "last4"),
            ) {
                (Some(brand), Some(last4)) => format!("{} ending in {last4}", brand.label()),
                _ => "a new card".to_string(),
            };
            Some(format!("{who} made {card} the payment method"))
        }
        "member.billing_access_changed" => {
            let name = text(d, "user_name").unwrap_or_else(|| "a member".into());
            Some(match field::<BillingAccess>(d, "to") {
                Some(BillingAccess::None) => format!("{who} removed {name}'s billing access"),
                Some(level) => format!("{who} gave {name} {} access", level.as_str()),
                None => format!("{who} changed {name}'s billing access"),
            })
        }
        "member.access_requested" => Some(match text(d, "note").filter(|n| !n.trim().is_empty()) {
            Some(note) => format!("{who} asked for billing access: “{}”", note.trim()),
            None => format!("{who} asked for billing access"),
        }),
        "member.access_request_granted" => {
            let name = text(d, "user_name").unwrap_or_else(|| "a member".into());
            Some(match field::<BillingAccess>(d, "to") {
                Some(level) => format!(
                    "{who} granted {name}'s request with {} access",
                    level.as_str()
                ),
                None => format!("{who} granted {name}'s request for billing access"),
            })
        }
        "member.access_request_declined" => {
            let name = text(d, "user_name").unwrap_or_else(|| "a member".into());
            Some(format!(
                "{who} declined {name}'s request for billing access"
            ))
        }
        "account.policy_changed" => d
            .get("cancel_requires_owner")
            .and_then(|change| change.get("to"))
            .and_then(Value::as_bool)
            .map(|on| {
                if on {
                    format!("{who} made cancelling the subscription owner-only")
                } else {
                    format!("{who} let admins cancel the subscription again")
                }
            }),
        "subscription.cancel_scheduled" => Some(match field::<DateTime<Utc>>(d, "cancel_at") {
            Some(at) => format!(
                "{who} scheduled the subscription to cancel on {}",
                format::date(at)
            ),
            None => format!("{who} scheduled the subscription to cancel"),
        }),
        "subscription.cancellation_withdrawn" => {
            Some(format!("{who} withdrew the scheduled cancellation"))
        }
        "subscription.canceled" => Some(match actor {
            Some(name) => format!("{name} canceled the subscription"),
            None => "The subscription ended as scheduled".to_string(),
        }),
        "subscription.paused" => Some(format!("{who} paused the subscription")),
        "subscription.resumed" => Some(match amount(d, "charged") {
            Some(m) => format!("{who} resumed the subscription — charged {}", m.format()),
            None => format!("{who} resumed the subscription"),
        }),
        "subscription.reactivated" => Some(match amount(d, "charged") {
            Some(m) => format!("The subscription was reactivated — charged {}", m.format()),
            None => "The subscription was reactivated".to_string(),
        }),
        "subscription.frozen" => {
            Some("The account was frozen: there was no payment method at renewal".to_string())
        }
        "subscription.deactivated" => Some(match amount(d, "amount_due") {
            Some(m) => format!("The account was deactivated: {} is unpaid", m.format()),
            None => "The account was deactivated for non-payment".to_string(),
        }),
        "retention.offer_accepted" => {
            let percent = d.get("percent").and_then(Value::as_u64);
            let renewals = d.get("renewals").and_then(Value::as_u64);
            Some(match (percent, renewals) {
                (Some(p), Some(1)) => format!("{who} accepted {p}% off the next renewal"),
                (Some(p), Some(n)) => format!("{who} accepted {p}% off the next {n} renewals"),
                _ => format!("{who} accepted an offer to stay"),
            })
        }
        "retention.meeting_requested" => {
            Some(format!("{who} asked for a meeting with Customer Success"))
        }
        "balance.withdrawal_requested" => Some(match amount(d, "amount") {
            Some(m) => format!("{who} asked to withdraw {} of credit balance", m.format()),
            None => format!("{who} asked to withdraw the credit balance"),
        }),
        _ => None,
    };
    known.unwrap_or_else(|| match actor {
        Some(name) => format!("{name}: {}", entry.action),
        None => entry.action.clone(),
    })
}

/// "Olivia Owner changed seats from 12 to 15 — charged $208.50".
fn subscription_changed(who: &str, d: &Value) -> Option<String> {
    let from: Terms = field(d, "from")?;
    let to: Terms = field(d, "to")?;
    let pending: Pending = field(d, "pending").unwrap_or_default();
    let mut did = Vec::new();
    if from.plan != to.plan {
        did.push(format!(
            "changed the plan from {} to {}",
            format::plan_name(from.plan),
            format::plan_name(to.plan)
        ));
    }
    if from.interval != to.interval {
        did.push(format!(
            "changed billing from {} to {}",
            from.interval.label().to_lowercase(),
            to.interval.label().to_lowercase()
        ));
    }
    if from.seats != to.seats {
        did.push(format!("changed seats from {} to {}", from.seats, to.seats));
    }
    for add_on in to.add_ons.iter().filter(|a| !from.add_ons.contains(a)) {
        did.push(format!("added {}", add_on.label()));
    }
    for add_on in from.add_ons.iter().filter(|a| !to.add_ons.contains(a)) {
        did.push(format!("removed {}", add_on.label()));
    }
    if let Some(seats) = pending.seats {
        did.push(format!("scheduled seats to drop to {seats}"));
    }
    if pending.interval == Some(Interval::Month) {
        did.push("scheduled a switch to monthly billing".to_string());
    }
    if did.is_empty() {
        did.push("changed the subscription".to_string());
    }
    let mut sentence = format!("{who} {}", format::names(&did));
    let mut money = Vec::new();
    if let Some(charged) = amount(d, "amount_charged") {
        money.push(format!("charged {}", charged.format()));
    }
    if let Some(credit) = amount(d, "credit_created") {
        money.push(format!("{} added to the credit balance", credit.format()));
    }
    if !money.is_empty() {
        sentence.push_str(" — ");
        sentence.push_str(&money.join(", "));
    }
    Some(sentence)
}

/// "The subscription renewed for Dec 22, 2026 – Jan 22, 2027 — invoiced
/// $1,668.00".
fn renewed(d: &Value) -> String {
    let period = match (
        field::<DateTime<Utc>>(d, "period_start"),
        field::<DateTime<Utc>>(d, "period_end"),
    ) {
        (Some(start), Some(end)) => format!(" for {}", format::period(start, end)),
        _ => String::new(),
    };
    match field::<Money>(d, "total") {
        Some(total) => format!(
            "The subscription renewed{period} — invoiced {}",
            total.format()
        ),
        None => format!("The subscription renewed{period}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use billing_domain::wire::Actor;
    use chrono::TimeZone;
    use serde_json::json;

    fn entry(action: &str, actor: Option<&str>, details: Value) -> AuditLogEntry {
        AuditLogEntry {
            id: "aud_1".into(),
            at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 30, 0).unwrap(),
            actor: actor.map(|name| Actor {
                id: "usr_1".into(),
                name: name.into(),
            }),
            action: action.into(),
            details,
        }
    }

    fn usd(minor: i64) -> Value {
        json!({ "amount": minor, "currency": "USD" })
    }

    fn terms(plan: &str, interval: &str, seats: u32, add_ons: &[&str]) -> Value {
        json!({ "plan": plan, "interval": interval, "seats": seats, "add_ons": add_ons })
    }

    #[test]
    fn a_seat_purchase_names_who_and_the_charge() {
        let e = entry(
            "subscription.changed",
            Some("Olivia Owner"),
            json!({
                "from": terms("business", "month", 12, &[]),
                "to": terms("business", "month", 15, &[]),
                "pending": { "seats": null, "interval": null },
                "amount_charged": usd(20_850),
                "credit_applied": usd(0),
                "credit_created": usd(0),
                "invoice_id": "in_1",
            }),
        );
        assert_eq!(
            describe(&e),
            "Olivia Owner changed seats from 12 to 15 — charged $208.50"
        );
    }

    #[test]
    fn downgrades_and_scheduled_changes_read_as_sentences() {
        let downgrade = entry(
            "subscription.changed",
            Some("Adam Admin"),
            json!({
                "from": terms("business", "month", 12, &["marketing"]),
                "to": terms("essentials", "month", 12, &["support_bot"]),
                "pending": { "seats": 10, "interval": null },
                "amount_charged": usd(0),
                "credit_created": usd(20_000),
            }),
        );
        assert_eq!(
            describe(&downgrade),
            "Adam Admin changed the plan from Business to Essentials, added Support Bot, removed Marketing and scheduled seats to drop to 10 — $200.00 added to the credit balance"
        );
    }

    #[test]
    fn access_and_policy_entries_name_the_member() {
        let granted = entry(
            "member.billing_access_changed",
            Some("Olivia Owner"),
            json!({ "user_id": "u", "user_name": "Max Member", "from": "read", "to": "manage" }),
        );
        assert_eq!(
            describe(&granted),
            "Olivia Owner gave Max Member manage access"
        );
        let revoked = entry(
            "member.billing_access_changed",
            Some("Olivia Owner"),
            json!({ "user_name": "Max Member", "from": "manage", "to": "none" }),
        );
        assert_eq!(
            describe(&revoked),
            "Olivia Owner removed Max Member's billing access"
        );
        let asked = entry(
            "member.access_requested",
            Some("Max Member"),
            json!({ "note": "I reconcile the invoices." }),
        );
        assert_eq!(
            describe(&asked),
            "Max Member asked for billing access: “I reconcile the invoices.”"
        );
        let policy = entry(
            "account.policy_changed",
            Some("Olivia Owner"),
            json!({ "cancel_requires_owner": { "from": false, "to": true } }),
        );
        assert_eq!(
            describe(&policy),
            "Olivia Owner made cancelling the subscription owner-only"
        );
    }

    #[test]
    fn system_entries_and_unknown_actions_still_read() {
        let paid = entry(
            "invoice.paid",
            None,
            json!({ "invoice_id": "in_1", "amount": usd(166_800), "card_last4": "4242" }),
        );
        assert_eq!(
            describe(&paid),
            "$1,668.00 was paid with the card ending in 4242"
        );
        let declined = entry(
            "payment.declined",
            None,
            json!({ "amount": usd(166_800), "reason": "Your card was declined." }),
        );
        assert_eq!(
            describe(&declined),
            "A payment of $1,668.00 was declined: Your card was declined"
        );
        let created = entry(
            "subscription.created",
            None,
            json!({ "plan": "business", "interval": "month", "seats": 12, "add_ons": [], "amount": usd(166_800) }),
        );
        assert_eq!(
            describe(&created),
            "The subscription started: Business · Monthly · 12 seats — charged $1,668.00"
        );
        let unknown = entry("widget.polished", Some("Olivia Owner"), json!({}));
        assert_eq!(describe(&unknown), "Olivia Owner: widget.polished");
        assert_eq!(
            describe(&entry("widget.polished", None, json!({}))),
            "widget.polished"
        );
    }
}
