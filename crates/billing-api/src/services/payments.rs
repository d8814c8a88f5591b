//! Cards: the simulated gateway's tokenization, and saving a card (which
//! retries what is owed with it at once).

use crate::gateway::CardInput;
use crate::ids::new_id;
use crate::services::actor::Actor;
use crate::services::audit::audit;
use crate::services::billing::{self, Attempt};
use crate::services::charge::Verdict;
use crate::services::error::ServiceResult;
use crate::services::{cancel, charge};
use crate::state::AppState;
use crate::store::{PaymentMethodRecord, Write};
use billing_domain::audit::AuditAction;
use billing_domain::wire::{
    AttachPaymentMethodRequest, CardToken, CardTokenRequest, PaymentMethodResult,
    PaymentMethodSummary, RetriedInvoice,
};
use billing_domain::{Money, Permission};
use serde_json::json;

/// The simulated gateway's tokenization: card number and CVC go here and
/// nowhere else; the answer is a token for `POST /api/payment-methods`.
pub async fn tokenize(
    state: &AppState,
    current: &Actor,
    body: CardTokenRequest,
) -> ServiceResult<CardToken> {
    current.require(Permission::BillingManage)?;
    let now = state.now_for(&current.account);
    let card = state
        .gateway
        .tokenize(
            CardInput {
                number: body.number,
                exp_month: body.exp_month,
                exp_year: body.exp_year,
                cvc: body.cvc,
            },
            now,
        )
        .await?;
    Ok(CardToken {
        token: card.token,
        brand: card.brand,
        last4: card.last4,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
    })
}

/// Makes a tokenized card the account's default, then retries every open
/// invoice with it at once (reactivating a past-due, deactivated or frozen
/// account when they are paid).
pub async fn save_card(
    state: &AppState,
    current: &Actor,
    body: AttachPaymentMethodRequest,
) -> ServiceResult<PaymentMethodResult> {
    current.require(Permission::BillingManage)?;
    let account = &current.account;
    let now = state.now_for(account);
    let card = state.gateway.attach(&body.token, now).await?;
    let record = PaymentMethodRecord {
        id: new_id("pm"),
        account_id: account.id.clone(),
        brand: card.brand.as_str().into(),
        last4: card.last4.clone(),
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        gateway_token: card.token.clone(),
        is_default: true,
        created_at: now,
    };
    state
        .store
        .commit(vec![
            Write::SetDefaultPaymentMethod(record),
            audit(
                &account.id,
                Some(&current.user.id),
                AuditAction::PaymentMethodUpdated,
                json!({ "brand": card.brand, "last4": card.last4, "exp_month": card.exp_month, "exp_year": card.exp_year }),
                now,
            ),
        ])
        .await?;
    let mut retried = Vec::new();
    {
        let _guard = state.account_lock(&account.id).await?;
        charge::reconcile(state, account, now).await?;
        // Within the retention window, a card reactivates a canceled account;
        // a deactivated or frozen account starts a new period now, its locked
        // periods' invoices voided, never charged. Either way the card stays
        // saved, and the answer says what was charged or why not.
        let locked = state.store.open_invoices(&account.id).await?;
        let restart = match cancel::reactivate(state, account, now).await? {
            Some(attempt) => Some(attempt),
            None => cancel::recover(state, account, now).await?,
        };
        let restarted = restart.is_some();
        if let Some(attempt) = restart {
            match &attempt.verdict {
                Verdict::Paid(_) => {
                    if let Some(inv) = state.store.invoice(&attempt.invoice_id).await? {
                        retried.push(RetriedInvoice {
                            number: crate::mail::templates::invoice_number(&inv),
                            invoice_id: inv.id,
                            amount: attempt.amount,
                            status: billing_domain::invoice::InvoiceStatus::Paid,
                            error: None,
                        });
                    }
                }
                Verdict::Declined(decline) => {
                    // What it was to pay stays owed; nothing was charged.
                    let message = decline.to_string();
                    for inv in &locked {
                        retried.push(RetriedInvoice {
                            number: crate::mail::templates::invoice_number(inv),
                            invoice_id: inv.id.clone(),
                            amount: Money::new(inv.total, inv.currency),
                            status: billing_domain::invoice::InvoiceStatus::Open,
                            error: Some(message.clone()),
                        });
                    }
                    if locked.is_empty() {
                        retried.push(RetriedInvoice {
                            number: "reactivation".into(),
                            invoice_id: attempt.invoice_id.clone(),
                            amount: attempt.amount,
                            status: billing_domain::invoice::InvoiceStatus::Void,
                            error: Some(message),
                        });
                    }
                }
            }
        }
        for inv in state
            .store
            .open_invoices(&account.id)
            .await?
            .into_iter()
            .filter(|_| !restarted)
        {
            let verdict = billing::collect(state, account, &inv.id, now, Attempt::Retry).await?;
            retried.push(RetriedInvoice {
                number: crate::mail::templates::invoice_number(&inv),
                invoice_id: inv.id,
                amount: Money::new(inv.total, inv.currency),
                status: if verdict.is_paid() {
                    billing_domain::invoice::InvoiceStatus::Paid
                } else {
                    billing_domain::invoice::InvoiceStatus::Open
                },
                error: verdict.decline().map(|e| e.to_string()),
            });
        }
    }
    let status = state
        .store
        .subscription(&account.id)
        .await?
        .map(|s| s.status)
        .ok_or_else(|| anyhow::anyhow!("no subscription"))?;
    Ok(PaymentMethodResult {
        payment_method: PaymentMethodSummary {
            brand: card.brand,
            last4: card.last4,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        },
        status,
        retried,
    })
}
