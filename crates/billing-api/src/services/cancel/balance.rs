//! Withdrawing the credit balance: the request holds the amount until the
//! billing team decides.

use super::{commit, conflict, subscription};
use crate::ids::new_id;
use crate::mail::{self, templates};
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::error::ServiceError;
use crate::services::ledger;
use crate::state::AppState;
use crate::store::Write;
use anyhow::anyhow;
use billing_domain::audit::AuditAction;
use billing_domain::ledger::LedgerKind;
use billing_domain::wire::{Withdrawal, WithdrawalList};
use billing_domain::Money;
use billing_domain::Permission;
use serde_json::json;

/// Asks the billing team to pay out the credit balance.
pub async fn withdraw_balance(
    state: &AppState,
    user: &Actor,
    note: Option<&str>,
) -> Result<crate::store::WithdrawalRecord, ServiceError> {
    user.require(Permission::Refund)?;
    super::check_note(note)?;
    let account = &user.account;
    let _guard = state.account_lock(&account.id).await?;
    let sub = subscription(state, &account.id).await?;
    if sub.credit_balance <= 0 {
        return Err(conflict(
            "no_balance",
            "There is no credit balance to withdraw.",
        ));
    }
    let note = note.map(str::trim).unwrap_or("");
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
            mail::to_address(
                &account.id,
                &state.cancel_flow.file.billing_team_email.clone(),
                templates::withdrawal_requested(account, &user.user, amount, note),
                now,
            ),
            audit(
                &account.id,
                Some(&user.user.id),
                AuditAction::BalanceWithdrawalRequested,
                json!({ "amount": amount, "note": note, "withdrawal_id": withdrawal.id }),
                now,
            ),
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
) -> Result<crate::store::WithdrawalRecord, ServiceError> {
    let w = state
        .store
        .withdrawal(id)
        .await?
        .ok_or(ServiceError::NotFound("withdrawal"))?;
    if w.status != "requested" {
        return Err(conflict(
            "already_decided",
            format!("This withdrawal was already {}.", w.status),
        ));
    }
    let account = state
        .store
        .account(&w.account_id)
        .await?
        .ok_or_else(|| anyhow!("no account {}", w.account_id))?;
    let _guard = state.account_lock(&account.id).await?;
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
                if paid {
                    AuditAction::BalanceWithdrawalPaid
                } else {
                    AuditAction::BalanceWithdrawalDeclined
                },
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

/// `paid` or `declined`, as the billing team writes a decision.
pub fn decision(word: &str) -> Result<bool, ServiceError> {
    match word {
        "paid" => Ok(true),
        "declined" => Ok(false),
        _ => Err(ServiceError::invalid(
            "decision",
            "invalid_decision",
            "`decision` must be `paid` or `declined`.",
        )),
    }
}

/// The wire form of a withdrawal request.
pub fn withdrawal_view(w: &crate::store::WithdrawalRecord) -> Withdrawal {
    Withdrawal {
        id: w.id.clone(),
        amount: w.amount,
        status: w.status.clone(),
        requested_at: w.requested_at,
        decided_at: w.decided_at,
    }
}

/// The account's withdrawal requests, newest first.
pub async fn withdrawals(state: &AppState, user: &Actor) -> Result<WithdrawalList, ServiceError> {
    user.require(Permission::BillingRead)?;
    let data = state
        .store
        .withdrawals(&user.account.id)
        .await?
        .iter()
        .map(withdrawal_view)
        .collect();
    Ok(WithdrawalList { data })
}
