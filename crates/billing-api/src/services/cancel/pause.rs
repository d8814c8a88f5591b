//! Pausing at the pause price and resuming.

use super::finish_session;
use super::restart::pay_for_period;
use super::{commit, conflict, subscription, transition};
use crate::mail::{self, templates};
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::charge::Purpose;
use crate::services::error::ServiceError;
use crate::services::overview::billing_overview;
use crate::state::AppState;
use crate::store::{SubscriptionRecord, Write};
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::cancel_flow::OfferKind;
use billing_domain::renewal::{restart, Restart};
use billing_domain::subscription::Event;
use billing_domain::wire::BillingOverview;
use billing_domain::Money;
use billing_domain::Permission;
use serde_json::json;

/// Pauses at the pause price, keeping data, credits and history.
pub async fn pause(
    state: &AppState,
    user: &Actor,
    session_id: Option<&str>,
    offer_id: Option<&str>,
) -> Result<BillingOverview, ServiceError> {
    user.require(Permission::AccountCancel)?;
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await?;
    let sub = subscription(state, &account.id).await?;
    if state.catalog.plan(sub.plan).contract {
        return Err(conflict(
            "contract_plan",
            "Contract plans can't be paused; talk to your Customer Success Manager.",
        ));
    }
    let now = state.now_for(account);
    let to = transition(&sub, Event::Pause, now)?;
    let contact = mail::billing_contact(state, account).await?;
    let price = state.catalog.pause_monthly_price();
    let mut writes = vec![
        Write::Subscription {
            record: SubscriptionRecord {
                status: to,
                paused: true,
                ..sub.clone()
            },
            expected_version: sub.version,
        },
        audit(
            &account.id,
            Some(&user.user.id),
            AuditAction::SubscriptionPaused,
            json!({ "pause_price": price, "period_end": sub.current_period_end }),
            now,
        ),
        mail::to_user(
            &account.id,
            &contact,
            &templates::paused(account, sub.current_period_end, price),
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
pub async fn resume(state: &AppState, user: &Actor) -> Result<BillingOverview, ServiceError> {
    user.require(Permission::BillingManage)?;
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await?;
    let sub = subscription(state, &account.id).await?;
    let now = state.now_for(account);
    let to = transition(&sub, Event::Resume, now)?;
    if !sub.pause_billed {
        let contact = mail::billing_contact(state, account).await?;
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
                    AuditAction::SubscriptionResumed,
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
        AuditAction::SubscriptionResumed,
        vec![],
        now,
    )
    .await?
    .verdict
    .paid_or_declined()?;
    billing_overview(state, account).await
}

/// Pauses from the wizard's pause step (or from Plans & Billing without a
/// run): inside a run it counts as accepting the flow's pause offer.
pub async fn pause_instead(
    state: &AppState,
    user: &Actor,
    session_id: Option<&str>,
) -> Result<BillingOverview, ServiceError> {
    let offer = state
        .cancel_flow
        .file
        .offers
        .iter()
        .find(|o| o.kind == OfferKind::Pause)
        .map(|o| o.id.clone());
    let offer = session_id.and(offer);
    pause(state, user, session_id, offer.as_deref()).await
}
