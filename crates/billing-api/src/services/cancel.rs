//! Leaving and staying (SPEC §5–§6): the cancel wizard's sessions and
//! offers, cancel and resume, pause and resume, refunds, balance
//! withdrawals, reactivation within the retention window, and deletion.
//!
//! Every step is one committed batch with its audit line and e-mail; the
//! wizard's sessions record the reason, offers shown and outcome for
//! save-rate reporting.

use crate::error::ApiError;
use crate::extract::CurrentUser;
use crate::gateway::GatewayError;
use crate::mail::{self, templates, Draft};
use crate::routes::payments::gateway_error;
use crate::services::billing::audit;
use crate::services::changes;
use crate::services::charge::{self, Purpose, Settlement};
use crate::services::ledger;
use crate::services::overview::billing_overview;
use crate::services::seed::new_id;
use crate::state::AppState;
use crate::store::{
    AccountRecord, CancelSessionRecord, InvoiceRecord, OutboxEmail, StoreError, SubscriptionRecord,
    Write,
};
use anyhow::anyhow;
use billing_domain::cancel_flow::{confirms, consequences, AccessEnds, OfferKind};
use billing_domain::change::{ChangeRequest, Terms};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::invoice::LineKind;
use billing_domain::ledger::LedgerKind;
use billing_domain::period::Period;
use billing_domain::refund::{
    quote_refund, PeriodPayment, RefundBasis, RefundInput, RefundKind, RefundQuote, Usage,
};
use billing_domain::renewal::{discount_offerable, restart, Restart};
use billing_domain::subscription::{apply, Event};
use billing_domain::wire::{
    BillingOverview, CancelFlowView, CancelRequest, CancelSession, ChooseReasonRequest,
    OfferOutcome, RefundResult, UsageKind, UsageRequest,
};
use billing_domain::{Interval, Money, SubscriptionStatus};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// The longest free text a reason or note may carry.
const MAX_TEXT: usize = 1_000;

async fn subscription(state: &AppState, account_id: &str) -> Result<SubscriptionRecord, ApiError> {
    Ok(state
        .store
        .subscription(account_id)
        .await?
        .ok_or_else(|| anyhow!("account {account_id} has no subscription"))?)
}

fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Conflict {
        code,
        message: message.into(),
    }
}

async fn commit(state: &AppState, writes: Vec<Write>) -> Result<(), ApiError> {
    state.store.commit(writes).await.map_err(|e| match e {
        StoreError::VersionConflict => ApiError::PreconditionFailed,
        other => other.into(),
    })
}

fn transition(
    sub: &SubscriptionRecord,
    event: Event,
    at: DateTime<Utc>,
) -> Result<SubscriptionStatus, ApiError> {
    apply(sub.status, event, at).map(|t| t.to).map_err(|_| {
        conflict(
            "invalid_state",
            format!(
                "That isn't possible while the subscription is {}.",
                sub.status.label().to_lowercase()
            ),
        )
    })
}

/// An e-mail to an arbitrary address (Customer Success, the billing team).
fn to_team(account_id: &str, to: &str, draft: Draft, at: DateTime<Utc>) -> Write {
    Write::Email(OutboxEmail {
        id: new_id("em"),
        account_id: account_id.into(),
        kind: draft.kind.into(),
        to_email: to.into(),
        to_name: String::new(),
        subject: draft.subject,
        body: draft.body,
        invoice_id: draft.invoice_id,
        created_at: at,
        sent_at: None,
    })
}

fn simple_draft(kind: &'static str, subject: String, body: String) -> Draft {
    Draft {
        kind,
        subject,
        body,
        invoice_id: None,
    }
}

/// Everything the wizard shows for this account now.
pub async fn flow_view(state: &AppState, user: &CurrentUser) -> Result<CancelFlowView, ApiError> {
    let sub = subscription(state, &user.account.id).await?;
    let flow = &state.cancel_flow;
    let now = state.now_for(&user.account);
    let credit = Money::new(sub.credit_balance, sub.currency);
    Ok(CancelFlowView {
        status: sub.status,
        contract: state.catalog.plan(sub.plan).contract,
        reasons: flow.file.reasons.clone(),
        access_ends: flow.file.access_ends,
        consequences: consequences(flow, now, sub.current_period_end, credit, templates::date),
        pause_price: state.catalog.pause_monthly_price(),
        credit_balance: credit,
        retention_days: flow.file.retention_days,
        customer_success_email: flow.file.customer_success_email.clone(),
    })
}

fn session_view(state: &AppState, s: &CancelSessionRecord) -> CancelSession {
    CancelSession {
        id: s.id.clone(),
        reason: s.reason.clone(),
        reason_text: s.reason_text.clone(),
        offers: s
            .offers_shown
            .iter()
            .filter_map(|id| state.cancel_flow.offer(id).cloned())
            .collect(),
    }
}

/// Records a wizard start.
pub async fn start_session(
    state: &AppState,
    user: &CurrentUser,
) -> Result<CancelSession, ApiError> {
    let record = CancelSessionRecord {
        id: new_id("cs"),
        account_id: user.account.id.clone(),
        user_id: user.user.id.clone(),
        started_at: state.now_for(&user.account),
        reason: None,
        reason_text: None,
        offers_shown: vec![],
        outcome: None,
        offer_id: None,
        ended_at: None,
    };
    commit(state, vec![Write::CancelSession(record.clone())]).await?;
    Ok(session_view(state, &record))
}

/// 404 unless the wizard run belongs to the caller's account.
pub async fn ensure_session(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(), ApiError> {
    state
        .store
        .cancel_session(id)
        .await?
        .filter(|s| s.account_id == user.account.id)
        .map(|_| ())
        .ok_or(ApiError::NotFound("cancel session"))
}

async fn open_session(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<CancelSessionRecord, ApiError> {
    let s = state
        .store
        .cancel_session(id)
        .await?
        .filter(|s| s.account_id == user.account.id)
        .ok_or(ApiError::NotFound("cancel session"))?;
    if s.outcome.is_some() {
        return Err(conflict(
            "session_finished",
            "This cancellation was already completed or saved.",
        ));
    }
    Ok(s)
}

/// Records the reason and returns the offers for it.
pub async fn choose_reason(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    body: &ChooseReasonRequest,
) -> Result<CancelSession, ApiError> {
    let mut s = open_session(state, user, id).await?;
    let reason = state.cancel_flow.reason(&body.reason).ok_or_else(|| {
        ApiError::invalid(
            "reason",
            "unknown_reason",
            "Choose one of the listed reasons.",
        )
    })?;
    let text = body
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if reason.requires_text && text.is_none() {
        return Err(ApiError::invalid(
            "text",
            "required",
            "Tell us a little more about your reason.",
        ));
    }
    if text.is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Err(ApiError::invalid(
            "text",
            "too_long",
            format!("Keep it under {MAX_TEXT} characters."),
        ));
    }
    let sub = subscription(state, &user.account.id).await?;
    let now = state.now_for(&user.account);
    let discount_ok = discount_offerable(
        sub.standing().discount_in_force(),
        sub.discount_accepted_at,
        now,
    )
    .is_ok();
    let offers = state
        .cancel_flow
        .offers_for(reason, &state.catalog, sub.plan, discount_ok);
    s.reason = Some(reason.id.clone());
    s.reason_text = text.map(str::to_string);
    s.offers_shown = offers.iter().map(|o| o.id.clone()).collect();
    commit(state, vec![Write::CancelSession(s.clone())]).await?;
    Ok(session_view(state, &s))
}

async fn finish_session(
    state: &AppState,
    session_id: Option<&str>,
    user: &CurrentUser,
    outcome: &str,
    offer_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Option<Write>, ApiError> {
    let Some(id) = session_id else {
        return Ok(None);
    };
    let mut s = open_session(state, user, id).await?;
    s.outcome = Some(outcome.into());
    s.offer_id = offer_id.map(str::to_string);
    s.ended_at = Some(at);
    Ok(Some(Write::CancelSession(s)))
}

/// Applies an offer shown in this session; the wizard ends.
pub async fn accept_offer(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    offer_id: &str,
) -> Result<OfferOutcome, ApiError> {
    let session = open_session(state, user, id).await?;
    if !session.offers_shown.iter().any(|o| o == offer_id) {
        return Err(ApiError::invalid(
            "offer_id",
            "offer_not_shown",
            "That offer wasn't offered in this cancellation.",
        ));
    }
    let offer = state
        .cancel_flow
        .offer(offer_id)
        .cloned()
        .ok_or(ApiError::NotFound("offer"))?;
    let account = &user.account;
    let now = state.now_for(account);
    let message = match offer.kind {
        OfferKind::Discount => {
            let _guard = state.account_lock(&account.id).await;
            let sub = subscription(state, &account.id).await?;
            if sub.status != SubscriptionStatus::Active {
                return Err(conflict(
                    "invalid_state",
                    "Offers apply to an active subscription.",
                ));
            }
            if let Err(refusal) = discount_offerable(
                sub.standing().discount_in_force(),
                sub.discount_accepted_at,
                now,
            ) {
                return Err(conflict("discount_not_available", refusal.to_string()));
            }
            let (percent, periods) = (
                offer.discount_percent.unwrap_or(0),
                offer.discount_periods.unwrap_or(0),
            );
            let mut writes = vec![
                Write::Subscription {
                    record: SubscriptionRecord {
                        discount_percent: Some(percent),
                        discount_periods_left: Some(periods),
                        discount_accepted_at: Some(now),
                        ..sub.clone()
                    },
                    expected_version: sub.version,
                },
                audit(
                    &account.id,
                    Some(&user.user.id),
                    "retention.offer_accepted",
                    json!({ "offer": offer.id, "percent": percent, "renewals": periods }),
                    now,
                ),
            ];
            writes
                .extend(finish_session(state, Some(id), user, "saved", Some(offer_id), now).await?);
            commit(state, writes).await?;
            format!("Done: {percent}% off your next {periods} months, from your next renewal. Thank you for staying.")
        }
        OfferKind::Downgrade => {
            let plan = offer
                .plan
                .ok_or_else(|| anyhow!("downgrade offer without a plan"))?;
            let request = ChangeRequest {
                plan: Some(plan),
                ..ChangeRequest::default()
            };
            let result = changes::apply(state, user, &request, None, None).await?;
            if let Some(w) =
                finish_session(state, Some(id), user, "saved", Some(offer_id), now).await?
            {
                commit(state, vec![w]).await?;
            }
            format!(
                "Done: you're on {} now. {} was added to your credit balance.",
                state.catalog.plan(plan).name,
                result.change.credit_created.format()
            )
        }
        OfferKind::Meeting => {
            request_meeting(state, user, Some(id), None, Some(offer_id)).await?;
            format!(
                "Your Customer Success Manager will e-mail you from {} to book a time.",
                state.cancel_flow.file.customer_success_email
            )
        }
        OfferKind::Pause => {
            pause(state, user, Some(id), Some(offer_id)).await?;
            format!(
                "Paused. You pay {} a month and can resume any time.",
                state.catalog.pause_monthly_price().format()
            )
        }
    };
    Ok(OfferOutcome {
        offer_id: offer_id.into(),
        message,
        overview: billing_overview(state, account).await?,
    })
}

/// Cancels: at the period end (or at once, where the policy says so), after
/// `CONFIRM` and every consequence acknowledged.
pub async fn cancel(
    state: &AppState,
    user: &CurrentUser,
    body: &CancelRequest,
) -> Result<BillingOverview, ApiError> {
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await;
    let sub = subscription(state, &account.id).await?;
    if state.catalog.plan(sub.plan).contract {
        return Err(conflict(
            "contract_plan",
            "Contract plans are cancelled with your Customer Success Manager: request a meeting instead.",
        ));
    }
    if sub.status == SubscriptionStatus::CancelScheduled {
        return Err(conflict(
            "already_scheduled",
            "The subscription is already scheduled to cancel.",
        ));
    }
    if !confirms(&body.confirmation) {
        return Err(ApiError::invalid(
            "confirmation",
            "confirmation_mismatch",
            "Type CONFIRM in capital letters to cancel. Nothing was changed.",
        ));
    }
    let now = state.now_for(account);
    let credit = Money::new(sub.credit_balance, sub.currency);
    let shown = consequences(
        &state.cancel_flow,
        now,
        sub.current_period_end,
        credit,
        templates::date,
    );
    if let Some(missing) = shown.iter().find(|c| !body.acknowledged.contains(&c.id)) {
        return Err(ApiError::invalid(
            "acknowledged",
            "not_acknowledged",
            format!("Acknowledge each consequence first: {}", missing.text),
        ));
    }
    let contact = mail::billing_contact(state, &account.id).await?;
    let session = finish_session(
        state,
        body.session_id.as_deref(),
        user,
        "canceled",
        None,
        now,
    )
    .await?;
    match state.cancel_flow.file.access_ends {
        AccessEnds::PeriodEnd => {
            let to = transition(&sub, Event::ScheduleCancel, now)?;
            let at = sub.current_period_end;
            let mut writes = vec![
                Write::Subscription {
                    record: SubscriptionRecord {
                        status: to,
                        cancel_at: Some(at),
                        ..sub.clone()
                    },
                    expected_version: sub.version,
                },
                audit(&account.id, Some(&user.user.id), "subscription.cancel_scheduled", json!({ "cancel_at": at }), now),
                mail::to_user(
                    &account.id,
                    &contact,
                    &simple_draft(
                        "cancellation_scheduled",
                        format!("Your subscription is scheduled to cancel on {}", templates::date(at)),
                        format!(
                            "{}'s subscription will end on {}. Until then everything keeps working and nothing more is charged.\n\nChanged your mind? Press Resume subscription on Plans & Billing any time before then.\n",
                            account.name,
                            templates::date(at)
                        ),
                    ),
                    now,
                ),
            ];
            writes.extend(session);
            commit(state, writes).await?;
        }
        AccessEnds::Immediately => {
            let refund = refund_quote_for(state, account, &sub, now).await?;
            end_now(state, user, &sub, refund, now, session).await?;
        }
    }
    billing_overview(state, account).await
}

/// Withdraws a scheduled cancellation.
pub async fn resume_cancellation(
    state: &AppState,
    user: &CurrentUser,
) -> Result<BillingOverview, ApiError> {
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await;
    let sub = subscription(state, &account.id).await?;
    if matches!(
        sub.status,
        SubscriptionStatus::Active | SubscriptionStatus::Paused
    ) {
        return billing_overview(state, account).await;
    }
    let now = state.now_for(account);
    let to = transition(&sub, Event::ResumeCancellation { paused: sub.paused }, now)?;
    let contact = mail::billing_contact(state, &account.id).await?;
    commit(
        state,
        vec![
            Write::Subscription {
                record: SubscriptionRecord {
                    status: to,
                    cancel_at: None,
                    ..sub.clone()
                },
                expected_version: sub.version,
            },
            audit(&account.id, Some(&user.user.id), "subscription.cancellation_withdrawn", json!({ "was": sub.cancel_at }), now),
            mail::to_user(
                &account.id,
                &contact,
                &simple_draft(
                    "resumed",
                    "Your subscription will continue".into(),
                    format!("The scheduled cancellation of {} was withdrawn; the subscription renews as usual.\n", account.name),
                ),
                now,
            ),
        ],
    )
    .await?;
    billing_overview(state, account).await
}

/// Pauses at the pause price, keeping data, credits and history.
pub async fn pause(
    state: &AppState,
    user: &CurrentUser,
    session_id: Option<&str>,
    offer_id: Option<&str>,
) -> Result<BillingOverview, ApiError> {
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await;
    let sub = subscription(state, &account.id).await?;
    if state.catalog.plan(sub.plan).contract {
        return Err(conflict(
            "contract_plan",
            "Contract plans can't be paused; talk to your Customer Success Manager.",
        ));
    }
    let now = state.now_for(account);
    let to = transition(&sub, Event::Pause, now)?;
    let contact = mail::billing_contact(state, &account.id).await?;
    let price = state.catalog.pause_monthly_price();
    let mut writes = vec![
        Write::Subscription {
            record: SubscriptionRecord { status: to, paused: true, ..sub.clone() },
            expected_version: sub.version,
        },
        audit(&account.id, Some(&user.user.id), "subscription.paused", json!({ "pause_price": price, "period_end": sub.current_period_end }), now),
        mail::to_user(
            &account.id,
            &contact,
            &simple_draft(
                "paused",
                "Your subscription is paused".into(),
                format!(
                    "{} is paused. Your data, credits and history are kept. From {} you pay {} a month; resume any time on Plans & Billing.\n",
                    account.name,
                    templates::date(sub.current_period_end),
                    price.format()
                ),
            ),
            now,
        ),
    ];
    writes.extend(finish_session(state, session_id, user, "paused", offer_id, now).await?);
    commit(state, writes).await?;
    billing_overview(state, account).await
}

/// Resumes a paused subscription. Within the period paid at the plan's
/// price nothing is charged; after a pause month a new period starts now
/// ([`restart`]: pending changes applied, the discount if months are left,
/// the unused pause time credited, then the credit balance).
pub async fn resume(state: &AppState, user: &CurrentUser) -> Result<BillingOverview, ApiError> {
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await;
    let sub = subscription(state, &account.id).await?;
    let now = state.now_for(account);
    let to = transition(&sub, Event::Resume, now)?;
    if !sub.pause_billed {
        let contact = mail::billing_contact(state, &account.id).await?;
        commit(
            state,
            vec![
                Write::Subscription {
                    record: SubscriptionRecord {
                        status: to,
                        paused: false,
                        ..sub.clone()
                    },
                    expected_version: sub.version,
                },
                audit(
                    &account.id,
                    Some(&user.user.id),
                    "subscription.resumed",
                    json!({ "charged": Money::zero(sub.currency) }),
                    now,
                ),
                mail::to_user(
                    &account.id,
                    &contact,
                    &templates::resumed(account, &state.catalog.plan(sub.plan).name),
                    now,
                ),
            ],
        )
        .await?;
        return billing_overview(state, account).await;
    }
    let bill =
        restart(&state.catalog, &sub.standing(), now, Restart::Resume).map_err(|e| anyhow!(e))?;
    let record = SubscriptionRecord {
        status: to,
        paused: false,
        ..sub.after_bill(&bill)
    };
    pay_for_period(
        state,
        account,
        &sub,
        record,
        &bill,
        Purpose::Resume,
        Some(&user.user.id),
        "subscription.resumed",
        vec![],
        now,
    )
    .await?
    .verdict
    .map_err(gateway_error)?;
    billing_overview(state, account).await
}

/// A period paid for (or declined) when a card was saved.
#[derive(Debug)]
pub struct Attempted {
    pub invoice_id: String,
    /// What the card was asked for.
    pub amount: Money,
    pub verdict: Result<(), GatewayError>,
}

/// Invoices a period that starts now and applies `record` once it is paid
/// ([`charge::purchase`]), voiding `void_invoices` with it; the gateway's
/// decline is returned as a value.
#[allow(clippy::too_many_arguments)]
pub async fn pay_for_period(
    state: &AppState,
    account: &AccountRecord,
    sub: &SubscriptionRecord,
    record: SubscriptionRecord,
    bill: &billing_domain::renewal::PeriodBill,
    purpose: Purpose,
    actor: Option<&str>,
    action: &str,
    void_invoices: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Attempted, ApiError> {
    let invoice_id = charge::invoice_id();
    let reason = match purpose {
        Purpose::Recovery => "subscription_recovery",
        Purpose::Reactivation => "subscription_reactivation",
        Purpose::Resume => "subscription_resume",
        Purpose::Change => "subscription_update",
    };
    let invoice = InvoiceRecord::open(
        invoice_id.clone(),
        &account.id,
        reason,
        &bill.draft,
        (bill.period.start, bill.period.end),
        now,
    );
    let settlement = Settlement {
        purpose,
        expected_version: sub.version,
        subscription: record,
        actor: actor.map(str::to_string),
        audit_action: action.into(),
        audit_details: json!({
            "charged": bill.draft.total, "price": bill.price, "discount": bill.discount_amount,
            "credit_applied": bill.draft.credit_applied, "period_start": bill.period.start,
            "period_end": bill.period.end, "invoice_id": invoice_id, "voided": void_invoices,
        }),
        declined_action: format!("{action}_declined"),
        void_invoices,
        result: None,
    };
    let verdict = charge::purchase(
        state,
        account,
        invoice,
        &settlement,
        now,
        "Add a card first.",
    )
    .await?;
    Ok(Attempted {
        invoice_id,
        amount: bill.draft.total,
        verdict,
    })
}

/// Asks Customer Success for a meeting (contract plans, or the meeting offer).
pub async fn request_meeting(
    state: &AppState,
    user: &CurrentUser,
    session_id: Option<&str>,
    note: Option<&str>,
    offer_id: Option<&str>,
) -> Result<(), ApiError> {
    let note = note.map(str::trim).unwrap_or("");
    if note.chars().count() > MAX_TEXT {
        return Err(ApiError::invalid(
            "note",
            "too_long",
            format!("Keep it under {MAX_TEXT} characters."),
        ));
    }
    let account = &user.account;
    let now = state.now_for(account);
    let csm = state.cancel_flow.file.customer_success_email.clone();
    let mut writes = vec![
        to_team(
            &account.id,
            &csm,
            simple_draft(
                "meeting_request",
                format!("Meeting request from {} ({})", account.name, user.user.name),
                format!(
                    "{} ({}) of {} would like to talk about their subscription.\n\nNote: {}\n",
                    user.user.name,
                    user.user.email,
                    account.name,
                    if note.is_empty() { "(none)" } else { note }
                ),
            ),
            now,
        ),
        audit(
            &account.id,
            Some(&user.user.id),
            "retention.meeting_requested",
            json!({ "note": note }),
            now,
        ),
    ];
    writes
        .extend(finish_session(state, session_id, user, "meeting_requested", offer_id, now).await?);
    commit(state, writes).await
}

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

async fn refund_quote_for(
    state: &AppState,
    account: &AccountRecord,
    sub: &SubscriptionRecord,
    now: DateTime<Utc>,
) -> Result<Option<RefundQuote>, ApiError> {
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
pub async fn refund_quote(state: &AppState, user: &CurrentUser) -> Result<RefundQuote, ApiError> {
    let sub = subscription(state, &user.account.id).await?;
    let now = state.now_for(&user.account);
    refund_quote_for(state, &user.account, &sub, now)
        .await?
        .ok_or_else(|| conflict("nothing_to_refund", "There is no paid period to refund."))
}

async fn end_now(
    state: &AppState,
    user: &CurrentUser,
    sub: &SubscriptionRecord,
    refund: Option<RefundQuote>,
    now: DateTime<Utc>,
    session: Option<Write>,
) -> Result<Option<RefundQuote>, ApiError> {
    let account = &user.account;
    let to = transition(sub, Event::CancelNow, now)?;
    let mut writes = Vec::new();
    let mut refund_ids = Vec::new();
    if let Some(quote) = &refund {
        // Card money back charge by charge, each under a key of its own, so
        // a retry never refunds twice.
        for part in &quote.card_refunds {
            let key = format!(
                "refund:{}:{}",
                part.charge_id,
                sub.current_period_start.timestamp()
            );
            let refund_id = state
                .gateway
                .refund(&part.charge_id, part.amount, &key, now)
                .await
                .map_err(gateway_error)?;
            writes.push(ledger::entry(
                &account.id,
                LedgerKind::CardRefund,
                part.amount,
                None,
                Some(&refund_id),
                Some(&part.charge_id),
                "Refunded to your card",
                now,
            ));
            refund_ids.push(refund_id);
        }
        if !quote.to_balance.is_zero() {
            writes.push(ledger::entry(
                &account.id,
                LedgerKind::CreditGranted,
                quote.to_balance,
                None,
                None,
                None,
                match quote.kind {
                    RefundKind::Full => "Refund of credit paid for the period",
                    RefundKind::Partial => "Partial refund of the unused period",
                },
                now,
            ));
        }
    }
    let contact = mail::billing_contact(state, &account.id).await?;
    let deleted = now + Duration::days(i64::from(state.cancel_flow.file.retention_days));
    writes.extend([
        Write::Subscription {
            record: SubscriptionRecord {
                status: to,
                canceled_at: Some(now),
                cancel_at: None,
                paused: false,
                ..sub.clone()
            },
            expected_version: sub.version,
        },
        audit(
            &account.id,
            Some(&user.user.id),
            "subscription.canceled",
            json!({ "at": now, "refund": refund.as_ref(), "refund_ids": refund_ids }),
            now,
        ),
        mail::to_user(
            &account.id,
            &contact,
            &cancellation_effective(account, now, deleted, refund.as_ref()),
            now,
        ),
    ]);
    writes.extend(session);
    commit(state, writes).await?;
    Ok(refund)
}

fn cancellation_effective(
    account: &AccountRecord,
    at: DateTime<Utc>,
    deleted: DateTime<Utc>,
    refund: Option<&RefundQuote>,
) -> Draft {
    let refund_text = match refund {
        Some(q) => {
            let mut text = String::new();
            if !q.to_card.is_zero() {
                text.push_str(&format!(
                    "\n{} was refunded to your card.\n",
                    q.to_card.format()
                ));
            }
            if !q.to_balance.is_zero() {
                text.push_str(&format!(
                    "\n{} was credited to your balance.\n",
                    q.to_balance.format()
                ));
            }
            text
        }
        None => String::new(),
    };
    simple_draft(
        "cancellation_effective",
        format!("{}'s subscription has ended", account.name),
        format!(
            "The subscription of {} ended on {}. The owner can still sign in to billing and reactivate it with a card until {}; after that the data is deleted and can't be recovered.\n{refund_text}",
            account.name,
            templates::date(at),
            templates::date(deleted),
        ),
    )
}

/// The owner ends the subscription now and takes the refund it is due.
pub async fn request_refund(
    state: &AppState,
    user: &CurrentUser,
    confirmation: &str,
) -> Result<RefundResult, ApiError> {
    if !confirms(confirmation) {
        return Err(ApiError::invalid(
            "confirmation",
            "confirmation_mismatch",
            "Type CONFIRM in capital letters: a refund ends the subscription now. Nothing was changed.",
        ));
    }
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await;
    let sub = subscription(state, &account.id).await?;
    if state.catalog.plan(sub.plan).contract {
        return Err(conflict(
            "contract_plan",
            "Refunds on contract plans go through your Customer Success Manager.",
        ));
    }
    let now = state.now_for(account);
    let refund = refund_quote_for(state, account, &sub, now)
        .await?
        .ok_or_else(|| conflict("nothing_to_refund", "There is no paid period to refund."))?;
    let quote = end_now(state, user, &sub, Some(refund), now, None)
        .await?
        .ok_or_else(|| anyhow!("refund lost"))?;
    Ok(RefundResult {
        refund: quote,
        overview: billing_overview(state, account).await?,
    })
}

/// Asks the billing team to pay out the credit balance.
pub async fn withdraw_balance(
    state: &AppState,
    user: &CurrentUser,
    note: Option<&str>,
) -> Result<crate::store::WithdrawalRecord, ApiError> {
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await;
    let sub = subscription(state, &account.id).await?;
    if sub.credit_balance <= 0 {
        return Err(conflict(
            "no_balance",
            "There is no credit balance to withdraw.",
        ));
    }
    let note = note.map(str::trim).unwrap_or("");
    if note.chars().count() > MAX_TEXT {
        return Err(ApiError::invalid(
            "note",
            "too_long",
            format!("Keep it under {MAX_TEXT} characters."),
        ));
    }
    let now = state.now_for(account);
    let amount = Money::new(sub.credit_balance, sub.currency);
    let withdrawal = crate::store::WithdrawalRecord {
        id: new_id("wd"),
        account_id: account.id.clone(),
        amount,
        status: "requested".into(),
        note: note.to_string(),
        requested_by: Some(user.user.id.clone()),
        requested_at: now,
        decided_at: None,
        decided_by: None,
    };
    // The amount is held out of the balance until the billing team decides.
    let mut hold = ledger::entry(
        &account.id,
        LedgerKind::WithdrawalRequested,
        amount,
        None,
        None,
        None,
        "Withdrawal requested",
        now,
    );
    if let Write::Ledger(entry) = &mut hold {
        entry.withdrawal_id = Some(withdrawal.id.clone());
    }
    commit(
        state,
        vec![
            Write::InsertWithdrawal(withdrawal.clone()),
            hold,
            to_team(
                &account.id,
                &state.cancel_flow.file.billing_team_email.clone(),
                simple_draft(
                    "balance_withdrawal",
                    format!("Balance withdrawal request: {} for {}", amount.format(), account.name),
                    format!(
                        "{} ({}) asks to withdraw the credit balance of {} for {} ({}).\n\nNote: {}\n",
                        user.user.name,
                        user.user.email,
                        amount.format(),
                        account.name,
                        account.id,
                        if note.is_empty() { "(none)" } else { note }
                    ),
                ),
                now,
            ),
            audit(&account.id, Some(&user.user.id), "balance.withdrawal_requested", json!({ "amount": amount, "note": note, "withdrawal_id": withdrawal.id }), now),
        ],
    )
    .await?;
    Ok(withdrawal)
}

/// The billing team's decision on a withdrawal request: `paid` moves the held
/// amount out, `declined` returns it to the balance. Deciding twice is refused.
pub async fn decide_withdrawal(
    state: &AppState,
    id: &str,
    paid: bool,
    decided_by: &str,
) -> anyhow::Result<crate::store::WithdrawalRecord> {
    let w = state
        .store
        .withdrawal(id)
        .await?
        .ok_or_else(|| anyhow!("no withdrawal request {id}"))?;
    if w.status != "requested" {
        anyhow::bail!("withdrawal {id} was already {}", w.status);
    }
    let account = state
        .store
        .account(&w.account_id)
        .await?
        .ok_or_else(|| anyhow!("no account {}", w.account_id))?;
    let _guard = state.account_lock(&account.id).await;
    let now = state.now_for(&account);
    let (status, kind, memo) = if paid {
        ("paid", LedgerKind::WithdrawalPaid, "Withdrawal paid out")
    } else {
        (
            "declined",
            LedgerKind::WithdrawalDeclined,
            "Withdrawal declined: returned to the balance",
        )
    };
    let mut entry = ledger::entry(&account.id, kind, w.amount, None, None, None, memo, now);
    if let Write::Ledger(e) = &mut entry {
        e.withdrawal_id = Some(w.id.clone());
    }
    state
        .store
        .commit(vec![
            Write::DecideWithdrawal {
                id: w.id.clone(),
                status: status.into(),
                decided_at: now,
                decided_by: decided_by.into(),
            },
            entry,
            audit(
                &account.id,
                None,
                &format!("balance.withdrawal_{status}"),
                json!({ "withdrawal_id": w.id, "amount": w.amount, "decided_by": decided_by }),
                now,
            ),
        ])
        .await?;
    Ok(crate::store::WithdrawalRecord {
        status: status.into(),
        decided_at: Some(now),
        decided_by: Some(decided_by.into()),
        ..w
    })
}

/// Records product usage (it decides refund eligibility).
pub async fn record_usage(
    state: &AppState,
    user: &CurrentUser,
    body: &UsageRequest,
) -> Result<(), ApiError> {
    if !(1..=1_000_000).contains(&body.quantity) {
        return Err(ApiError::invalid(
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

/// A scheduled cancellation takes effect at the period end.
pub async fn take_effect(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("no subscription"))?;
    let to = apply(sub.status, Event::CancellationTakesEffect, at)?.to;
    let contact = mail::billing_contact(state, &account.id).await?;
    let deleted = at + Duration::days(i64::from(state.cancel_flow.file.retention_days));
    let writes = vec![
        Write::Once {
            marker: format!("cancel_effective:{}:{}", account.id, at.timestamp()),
            account_id: account.id.clone(),
            at,
        },
        Write::Subscription {
            record: SubscriptionRecord {
                status: to,
                canceled_at: Some(at),
                cancel_at: None,
                ..sub.clone()
            },
            expected_version: sub.version,
        },
        audit(
            &account.id,
            None,
            "subscription.canceled",
            json!({ "at": at, "data_deleted_at": deleted }),
            at,
        ),
        mail::to_user(
            &account.id,
            &contact,
            &cancellation_effective(account, at, deleted, None),
            at,
        ),
    ];
    match state.store.commit(writes).await {
        Ok(()) | Err(StoreError::AlreadyDone(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The retention window ended: the account's data is deleted for good.
pub async fn delete_data(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or_else(|| anyhow!("no subscription"))?;
    let to = apply(sub.status, Event::RetentionExpired, at)?.to;
    let writes = vec![
        Write::Once {
            marker: format!("delete:{}", account.id),
            account_id: account.id.clone(),
            at,
        },
        Write::DeleteAccountData {
            account_id: account.id.clone(),
            at,
        },
        Write::Subscription {
            record: SubscriptionRecord {
                status: to,
                credit_balance: 0,
                ..sub.clone()
            },
            expected_version: sub.version,
        },
    ];
    match state.store.commit(writes).await {
        Ok(()) | Err(StoreError::AlreadyDone(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Reactivates a canceled account within the retention window: a new
/// period starts now ([`restart`]: pending changes applied, the credit
/// balance used), charged to the card just saved.
pub async fn reactivate(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<Option<Attempted>, ApiError> {
    let sub = subscription(state, &account.id).await?;
    if sub.status != SubscriptionStatus::Canceled {
        return Ok(None);
    }
    let to = apply(sub.status, Event::Reactivate, at)
        .map_err(|e| anyhow!(e))?
        .to;
    let mut standing = sub.standing();
    standing.paused = false;
    let bill =
        restart(&state.catalog, &standing, at, Restart::Reactivate).map_err(|e| anyhow!(e))?;
    let record = SubscriptionRecord {
        status: to,
        canceled_at: None,
        cancel_at: None,
        paused: false,
        ..sub.after_bill(&bill)
    };
    pay_for_period(
        state,
        account,
        &sub,
        record,
        &bill,
        Purpose::Reactivation,
        None,
        "subscription.reactivated",
        vec![],
        at,
    )
    .await
    .map(Some)
}

/// Recovers a deactivated or frozen account when a card is saved: the
/// locked periods' open invoices are voided (never charged) and a new period
/// starts now, billed in full (SPEC §11). A paused account returns to a
/// pause month.
pub async fn recover(
    state: &AppState,
    account: &AccountRecord,
    at: DateTime<Utc>,
) -> Result<Option<Attempted>, ApiError> {
    let sub = subscription(state, &account.id).await?;
    if !matches!(
        sub.status,
        SubscriptionStatus::Deactivated | SubscriptionStatus::Frozen
    ) {
        return Ok(None);
    }
    let to = apply(
        sub.status,
        Event::PaymentRecovered { paused: sub.paused },
        at,
    )
    .map_err(|e| anyhow!(e))?
    .to;
    let locked = state.store.open_invoices(&account.id).await?;
    // The locked invoices' credit and discount months come back when they are voided.
    let standing = sub.standing_for_recovery(&locked);
    let bill = restart(&state.catalog, &standing, at, Restart::Recover).map_err(|e| anyhow!(e))?;
    let record = SubscriptionRecord {
        status: to,
        past_due_since: None,
        grace_until: None,
        ..sub.after_bill(&bill)
    };
    pay_for_period(
        state,
        account,
        &sub,
        record,
        &bill,
        Purpose::Recovery,
        None,
        "subscription.reactivated",
        locked.into_iter().map(|i| i.id).collect(),
        at,
    )
    .await
    .map(Some)
}
