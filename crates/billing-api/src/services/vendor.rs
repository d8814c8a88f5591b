//! The vendor's own API (SPEC §13): what an account may use, its invoices
//! (kept after its data is deleted) and the billing team's decisions on
//! withdrawals. The caller is the vendor's back office, holding the API
//! key: a [`Vendor`], never a customer's [`Actor`](crate::services::actor::Actor).

use crate::services::cancel;
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::invoices;
use crate::state::AppState;
use crate::store::{AccountRecord, WithdrawalRecord};
use billing_domain::webhook::access;
use billing_domain::wire::{Entitlements, InvoiceList};
use billing_domain::SubscriptionStatus;
use sha2::{Digest, Sha256};

/// The vendor's back office, authenticated by the API key. Only
/// [`authenticate`] makes one.
#[derive(Debug)]
pub struct Vendor {
    _private: (),
}

/// Who the audit log says decided, when the vendor API did.
pub const DECIDED_BY: &str = "vendor_api";

/// The vendor, if `presented` is the `configured` key. With no key
/// configured the vendor API does not exist (`NotFound`); a wrong or
/// missing key is `InvalidApiKey`. The keys are compared in constant time
/// (as digests, so their lengths leak nothing either).
pub fn authenticate(configured: Option<&str>, presented: Option<&str>) -> ServiceResult<Vendor> {
    let configured = configured.ok_or(ServiceError::NotFound("route"))?;
    let presented = presented.ok_or(ServiceError::InvalidApiKey)?;
    let (a, b) = (
        Sha256::digest(configured.as_bytes()),
        Sha256::digest(presented.as_bytes()),
    );
    let difference = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    if difference == 0 {
        Ok(Vendor { _private: () })
    } else {
        Err(ServiceError::InvalidApiKey)
    }
}

async fn account(state: &AppState, account_id: &str) -> ServiceResult<AccountRecord> {
    state
        .store
        .account(account_id)
        .await?
        .ok_or(ServiceError::NotFound("account"))
}

/// What the account may use now.
pub async fn entitlements(
    state: &AppState,
    _vendor: &Vendor,
    account_id: &str,
) -> ServiceResult<Entitlements> {
    let account = account(state, account_id).await?;
    let sub = state
        .store
        .subscription(&account.id)
        .await?
        .ok_or(ServiceError::NotFound("account"))?;
    let status = if account.deleted_at.is_some() {
        SubscriptionStatus::Deleted
    } else {
        sub.status
    };
    Ok(Entitlements {
        account_id: account.id,
        access: access(status),
        status,
        plan: sub.plan,
        interval: sub.interval,
        seats: sub.seats,
        add_ons: sub.add_ons,
        period_end: sub.current_period_end,
    })
}

/// A page of the account's invoices, newest first, also after its data
/// was deleted.
pub async fn invoices(
    state: &AppState,
    _vendor: &Vendor,
    account_id: &str,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> ServiceResult<InvoiceList> {
    let account = account(state, account_id).await?;
    invoices::page(state, &account, limit, starting_after).await
}

/// The billing team's decision (`paid` or `declined`) on a withdrawal
/// request, through the same use case as the CLI's. Repeating the
/// decision changes nothing and answers the withdrawal as decided; the
/// other decision on a decided request is a conflict.
pub async fn decide_withdrawal(
    state: &AppState,
    _vendor: &Vendor,
    id: &str,
    decision: &str,
) -> ServiceResult<WithdrawalRecord> {
    let paid = cancel::decision(decision)?;
    let wanted = if paid { "paid" } else { "declined" };
    let current = state
        .store
        .withdrawal(id)
        .await?
        .ok_or(ServiceError::NotFound("withdrawal"))?;
    if current.status == wanted {
        return Ok(current);
    }
    match cancel::decide_withdrawal(state, id, paid, DECIDED_BY).await {
        Ok(w) => Ok(w),
        Err(e) => {
            // Decided at the same moment by another call: the same
            // decision is this one's answer.
            match state.store.withdrawal(id).await? {
                Some(w) if w.status == wanted => Ok(w),
                _ => Err(e),
            }
        }
    }
}

/// Withdrawal requests with this status (`requested`, `paid` or
/// `declined`), oldest first, across every account.
pub async fn withdrawals(
    state: &AppState,
    _vendor: &Vendor,
    status: &str,
) -> ServiceResult<Vec<WithdrawalRecord>> {
    if !matches!(status, "requested" | "paid" | "declined") {
        return Err(ServiceError::invalid(
            "status",
            "invalid_status",
            "`status` must be `requested`, `paid` or `declined`.",
        ));
    }
    Ok(state.store.withdrawals_with_status(status, 200).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_key_authenticates() {
        let key = Some("k_0123456789abcdef");
        assert!(authenticate(key, Some("k_0123456789abcdef")).is_ok());
        assert!(matches!(
            authenticate(key, Some("k_0123456789abcdeF")),
            Err(ServiceError::InvalidApiKey)
        ));
        assert!(matches!(
            authenticate(key, Some("")),
            Err(ServiceError::InvalidApiKey)
        ));
        assert!(matches!(
            authenticate(key, None),
            Err(ServiceError::InvalidApiKey)
        ));
        assert!(matches!(
            authenticate(None, Some("anything")),
            Err(ServiceError::NotFound(_))
        ));
    }
}
