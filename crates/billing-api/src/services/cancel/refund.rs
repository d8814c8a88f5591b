//! Refunds (SPEC §6): the quote from what was paid, ending now with it,
//! and the product usage that decides eligibility.

use super::{commit, conflict, subscription};
use crate::ids::new_id;
use crate::services::actor::Actor;
use crate::services::charge::{Purpose, Settlement};
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::store::{AccountRecord, InvoiceRecord, SubscriptionRecord, Write};
use anyhow::anyhow;
use billing_domain::change::Terms;
use billing_domain::invoice::InvoiceStatus;
use billing_domain::invoice::LineKind;
use billing_domain::ledger::LedgerKind;
use billing_domain::period::Period;
use billing_domain::refund::{
    quote_refund, PeriodPayment, RefundBasis, RefundInput, RefundQuote, Usage,
};
use billing_domain::wire::{UsageKind, UsageRequest};
use billing_domain::Permission;
use billing_domain::{Interval, Money};
use chrono::{DateTime, Utc};

/// The current period at list price for `terms`: monthly rates (or the
/// plan's only rate), no discount, for as many months as the period has.
fn list_price(state: &AppState, sub: &SubscriptionRecord, terms: &Terms) -> Money {
    let plan = state.catalog.plan(terms.plan);
    let per_month = plan
        .seat_price_per_month(Interval::Month)
        .or(plan.seat_price_per_month(sub.interval))
        .map(|m| m.amount())
        .unwrap_or(0);
    let months = i64::from(sub.interval.months());
    let add_ons: i64 = terms
        .add_ons
        .iter()
        .filter_map(|a| state.catalog.add_on(*a))
        .map(|a| a.monthly_price.amount())
        .sum();
    Money::new(
        (per_month * i64::from(terms.seats) + add_ons) * months,
        sub.currency,
    )
}

/// The invoice that opened the current period (the one a refund credits):
/// the newest paid invoice for the whole period.
pub(super) async fn refunded_invoice(
    state: &AppState,
    account: &AccountRecord,
    sub: &SubscriptionRecord,
) -> Result<Option<InvoiceRecord>, ServiceError> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = state
            .store
            .invoices(&account.id, 100, after.as_deref())
            .await?;
        let done = page.len() < 100;
        after = page.last().map(|i| i.id.clone());
        all.extend(page);
        if done {
            break;
        }
    }
    Ok(all
        .into_iter()
        .filter(|i| {
            i.status == InvoiceStatus::Paid
                && i.period_start == Some(sub.current_period_start)
                && i.period_end == Some(sub.current_period_end)
                && i.lines.iter().any(|l| l.kind == LineKind::Plan)
        })
        .max_by_key(|i| i.seq))
}

pub(super) async fn refund_quote_for(
    state: &AppState,
    account: &AccountRecord,
    sub: &SubscriptionRecord,
    now: DateTime<Utc>,
) -> Result<Option<RefundQuote>, ServiceError> {
    if sub.pause_billed {
        return Ok(None);
    }
    // Everything paid for the current period: its first invoice, mid-period
    // changes, a resumption; by source, less credit already granted for it.
    let ledger = state.store.ledger(&account.id).await?;
    let refunded = |charge: &str| -> i64 {
        ledger
            .iter()
            .filter(|e| e.kind == LedgerKind::CardRefund && e.refund_of.as_deref() == Some(charge))
            .map(|e| e.amount.amount())
            .sum()
    };
    let mut all: Vec<InvoiceRecord> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = state
            .store
            .invoices(&account.id, 100, after.as_deref())
            .await?;
        let more = page.len() == 100;
        after = page.last().map(|i| i.id.clone());
        all.extend(page);
        if !more {
            break;
        }
    }
    // The period is the one its newest opening invoice began: an older period
    // starting in the same second is not this one.
    let Some(opening_seq) = all
        .iter()
        .filter(|i| {
            // An opening invoice bills the whole period (a plan line); a
            // change made in the period's first second only prorates.
            i.status == InvoiceStatus::Paid
                && i.period_start == Some(sub.current_period_start)
                && i.period_end == Some(sub.current_period_end)
                && i.lines.iter().any(|l| l.kind == LineKind::Plan)
        })
        .map(|i| i.seq)
        .max()
    else {
        return Ok(None);
    };
    let mut period_invoices: Vec<InvoiceRecord> = all
        .into_iter()
        .filter(|i| {
            i.status == InvoiceStatus::Paid
                && i.seq >= opening_seq
                && i.period_end == Some(sub.current_period_end)
        })
        .collect();
    period_invoices.sort_by_key(|i| i.seq);
    let first = &period_invoices[0];
    let purchased_at = first.paid_at.unwrap_or(first.created_at);
    // Credit for an earlier period's unused time netted into the opening
    // invoice paid for this period like credit balance did.
    let netted = |i: &InvoiceRecord| -> i64 {
        if i.seq != opening_seq {
            return 0;
        }
        i.lines
            .iter()
            .filter(|l| l.kind == LineKind::Proration && l.amount.amount() < 0)
            .map(|l| -l.amount.amount())
            .sum()
    };
    let basis = RefundBasis {
        payments: period_invoices
            .iter()
            .map(|i| PeriodPayment {
                card: i.charge_id.as_ref().filter(|_| i.total > 0).map(|c| {
                    (
                        c.clone(),
                        Money::new((i.total - refunded(c)).max(0), i.currency),
                    )
                }),
                credit: Money::new(i.credit_applied + netted(i), i.currency),
            })
            .collect(),
        credit_granted: Money::new(
            period_invoices.iter().map(|i| i.credit_created).sum(),
            sub.currency,
        ),
    };
    // The terms in force over the period: those of each mid-period change.
    let mut changes: Vec<(DateTime<Utc>, Terms, Terms)> = period_invoices
        .iter()
        .filter(|i| i.seq != opening_seq)
        .filter_map(|i| {
            let s: Settlement = serde_json::from_str(i.settlement.as_deref()?).ok()?;
            (s.purpose == Purpose::Change).then_some(())?;
            let from: Terms = serde_json::from_value(s.audit_details.get("from")?.clone()).ok()?;
            let to: Terms = serde_json::from_value(s.audit_details.get("to")?.clone()).ok()?;
            Some((i.created_at, from, to))
        })
        .collect();
    changes.sort_by_key(|c| c.0);
    let current_terms = Terms::new(sub.plan, sub.interval, sub.seats, sub.add_ons.clone());
    let mut list_prices = vec![(
        sub.current_period_start,
        list_price(state, sub, changes.first().map_or(&current_terms, |c| &c.1)),
    )];
    for (at, _, to) in &changes {
        list_prices.push((*at, list_price(state, sub, to)));
    }
    let totals = state
        .store
        .usage_since(&account.id, sub.current_period_start)
        .await?;
    let count = |k: UsageKind| {
        totals
            .iter()
            .find(|(kind, _)| kind == k.as_str())
            .map(|(_, n)| *n as u64)
            .unwrap_or(0)
    };
    let usage = Usage {
        chats: count(UsageKind::Chats),
        customer_records: count(UsageKind::CustomerRecords),
        bot_conversations: count(UsageKind::BotConversations),
        automation_runs: count(UsageKind::AutomationRuns),
        statistics_queries: count(UsageKind::StatisticsQueries),
        campaigns: count(UsageKind::Campaigns),
        one_time_messages: count(UsageKind::OneTimeMessages),
    };
    let input = RefundInput {
        now,
        period: Period {
            start: sub.current_period_start,
            end: sub.current_period_end,
        },
        purchased_at,
        basis,
        list_prices,
        add_ons: sub.add_ons.clone(),
        usage,
        full_refund_days: state.cancel_flow.file.full_refund_days,
    };
    let quote = quote_refund(&input).map_err(|e| anyhow!(e))?;
    Ok(Some(quote))
}

/// The refund the owner would get by ending the subscription now.
pub async fn refund_quote(state: &AppState, user: &Actor) -> Result<RefundQuote, ServiceError> {
    user.require(Permission::Refund)?;
    let sub = subscription(state, &user.account.id).await?;
    let now = state.now_for(&user.account);
    refund_quote_for(state, &user.account, &sub, now)
        .await?
        .ok_or_else(|| conflict("nothing_to_refund", "There is no paid period to refund."))
}

/// Records product usage (it decides refund eligibility).
pub async fn record_usage(
    state: &AppState,
    user: &Actor,
    body: &UsageRequest,
) -> Result<(), ServiceError> {
    if user.account.deleted_at.is_some() {
        return Err(ServiceError::NotFound("account"));
    }
    if !(1..=1_000_000).contains(&body.quantity) {
        return Err(ServiceError::invalid(
            "quantity",
            "out_of_range",
            "`quantity` must be between 1 and 1,000,000.",
        ));
    }
    let now = state.now_for(&user.account);
    commit(
        state,
        vec![Write::Usage {
            id: new_id("use"),
            account_id: user.account.id.clone(),
            kind: body.kind.as_str().into(),
            quantity: body.quantity,
            at: now,
        }],
    )
    .await
}
