//! The cancel wizard (SPEC §5): what it shows, its runs with their reason,
//! offers and outcome (for save-rate reporting), and the offers applied.

use super::pause::pause;
use super::{commit, conflict, subscription, MAX_TEXT};
use super::{finish_session, open_session, session_view};
use crate::ids::new_id;
use crate::mail::{self, templates};
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::changes;
use crate::services::error::ServiceError;
use crate::services::overview::billing_overview;
use crate::state::AppState;
use crate::store::{CancelSessionRecord, SubscriptionRecord, Write};
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::cancel_flow::{consequences, OfferKind};
use billing_domain::change::ChangeRequest;
use billing_domain::renewal::discount_offerable;
use billing_domain::wire::{CancelFlowView, CancelSession, ChooseReasonRequest, OfferOutcome};
use billing_domain::Permission;
use billing_domain::{Money, SubscriptionStatus};
use serde_json::json;

/// Everything the wizard shows for this account now.
pub async fn flow_view(state: &AppState, user: &Actor) -> Result<CancelFlowView, ServiceError> {
    user.require(Permission::AccountCancel)?;
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

/// Records a wizard start.
pub async fn start_session(state: &AppState, user: &Actor) -> Result<CancelSession, ServiceError> {
    user.require(Permission::AccountCancel)?;
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
pub async fn ensure_session(state: &AppState, user: &Actor, id: &str) -> Result<(), ServiceError> {
    state
        .store
        .cancel_session(id)
        .await?
        .filter(|s| s.account_id == user.account.id)
        .map(|_| ())
        .ok_or(ServiceError::NotFound("cancel session"))
}

/// Records the reason and returns the offers for it.
pub async fn choose_reason(
    state: &AppState,
    user: &Actor,
    id: &str,
    body: &ChooseReasonRequest,
) -> Result<CancelSession, ServiceError> {
    user.require(Permission::AccountCancel)?;
    let mut s = open_session(state, user, id).await?;
    let reason = state.cancel_flow.reason(&body.reason).ok_or_else(|| {
        ServiceError::invalid(
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
        return Err(ServiceError::invalid(
            "text",
            "required",
            "Tell us a little more about your reason.",
        ));
    }
    // Counted as sent, spaces and all, as the schema's `maxLength` counts.
    if body
        .text
        .as_deref()
        .is_some_and(|t| t.chars().count() > MAX_TEXT)
    {
        return Err(ServiceError::invalid(
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

/// Applies an offer shown in this session; the wizard ends.
pub async fn accept_offer(
    state: &AppState,
    user: &Actor,
    id: &str,
    offer_id: &str,
) -> Result<OfferOutcome, ServiceError> {
    user.require(Permission::AccountCancel)?;
    let session = open_session(state, user, id).await?;
    if !session.offers_shown.iter().any(|o| o == offer_id) {
        return Err(ServiceError::invalid(
            "offer_id",
            "offer_not_shown",
            "That offer wasn't offered in this cancellation.",
        ));
    }
    let offer = state
        .cancel_flow
        .offer(offer_id)
        .cloned()
        .ok_or(ServiceError::NotFound("offer"))?;
    let account = &user.account;
    let now = state.now_for(account);
    let message = match offer.kind {
        OfferKind::Discount => {
            let _guard = state.account_lock(&account.id).await?;
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
                    AuditAction::RetentionOfferAccepted,
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

/// Asks Customer Success for a meeting (contract plans, or the meeting offer).
pub async fn request_meeting(
    state: &AppState,
    user: &Actor,
    session_id: Option<&str>,
    note: Option<&str>,
    offer_id: Option<&str>,
) -> Result<(), ServiceError> {
    user.require(Permission::AccountCancel)?;
    super::check_note(note)?;
    let note = note.map(str::trim).unwrap_or("");
    let account = &user.account;
    let now = state.now_for(account);
    let csm = state.cancel_flow.file.customer_success_email.clone();
    let mut writes = vec![
        mail::to_address(
            &account.id,
            &csm,
            templates::meeting_request(account, &user.user, note),
            now,
        ),
        audit(
            &account.id,
            Some(&user.user.id),
            AuditAction::RetentionMeetingRequested,
            json!({ "note": note }),
            now,
        ),
    ];
    writes
        .extend(finish_session(state, session_id, user, "meeting_requested", offer_id, now).await?);
    commit(state, writes).await
}
