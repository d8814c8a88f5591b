//! A gateway that behaves like a processor's test mode, by card number:
//!
//! | number | behaviour |
//! | --- | --- |
//! | 4242 4242 4242 4242 (and any other valid number) | succeeds |
//! | 4000 0000 0000 0002 | declined (`card_declined`) when saved |
//! | 4000 0000 0000 9995 | declined (`insufficient_funds`) when saved |
//! | 4000 0000 0000 0069 | declined (`expired_card`) when saved |
//! | 4000 0000 0000 0127 | declined (`incorrect_cvc`) when saved |
//! | 4000 0000 0000 0341 | saves, but every charge is declined |

use super::{CardInput, ChargeRequest, GatewayCard, GatewayError, PaymentGateway};
use crate::ids::new_id;
use crate::store::{GatewayChargeRecord, GatewayTokenRecord, Store};
use async_trait::async_trait;
use billing_domain::card::check_card;
use billing_domain::wire::CardBrand;
use billing_domain::Money;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// The simulated processor; its vault lives in the store's gateway tables.
#[derive(Clone)]
pub struct SimulatedGateway {
    store: Arc<dyn Store>,
}

impl SimulatedGateway {
    /// A gateway keeping its vault in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        SimulatedGateway { store }
    }
}

fn behaviour_of(digits: &str) -> &'static str {
    match digits {
        "4000000000000002" => "decline_attach:card_declined",
        "4000000000009995" => "decline_attach:insufficient_funds",
        "4000000000000069" => "decline_attach:expired_card",
        "4000000000000127" => "decline_attach:incorrect_cvc",
        "4000000000000341" => "decline_charges",
        _ => "succeed",
    }
}

fn card_of(t: &GatewayTokenRecord) -> Result<GatewayCard, GatewayError> {
    Ok(GatewayCard {
        token: t.token.clone(),
        brand: CardBrand::parse(&t.brand)
            .ok_or_else(|| anyhow::anyhow!("vault brand `{}`", t.brand))?,
        last4: t.last4.clone(),
        exp_month: t.exp_month,
        exp_year: t.exp_year,
    })
}

/// What a charge on a card that behaves so comes to.
fn outcome_of(behaviour: &str) -> String {
    match behaviour {
        "succeed" => "succeeded".to_string(),
        "decline_charges" => "failed:card_declined".to_string(),
        other => format!(
            "failed:{}",
            other.rsplit(':').next().unwrap_or("card_declined")
        ),
    }
}

/// A recorded charge as the processor answers it.
fn verdict_of(charge: GatewayChargeRecord) -> Result<String, GatewayError> {
    match charge.outcome.strip_prefix("failed:") {
        Some(code) => Err(GatewayError::declined(code)),
        None => Ok(charge.id),
    }
}

/// `n` answers that the processor could not be reached.
fn unavailable(n: usize, e: &crate::store::StoreError) -> Vec<Result<String, GatewayError>> {
    (0..n)
        .map(|_| Err(GatewayError::Unavailable(anyhow::anyhow!("the vault: {e}"))))
        .collect()
}

#[async_trait]
impl PaymentGateway for SimulatedGateway {
    async fn tokenize(
        &self,
        card: CardInput,
        now: DateTime<Utc>,
    ) -> Result<GatewayCard, GatewayError> {
        let checked = check_card(&card.number, card.exp_month, card.exp_year, &card.cvc, now)
            .map_err(GatewayError::InvalidCard)?;
        let record = GatewayTokenRecord {
            token: new_id("tok"),
            brand: checked.brand.as_str().into(),
            last4: checked.last4(),
            exp_month: checked.exp_month,
            exp_year: checked.exp_year,
            behaviour: behaviour_of(&checked.digits).into(),
            created_at: now,
        };
        self.store
            .insert_gateway_token(&record)
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?;
        card_of(&record)
    }

    async fn attach(&self, token: &str, _now: DateTime<Utc>) -> Result<GatewayCard, GatewayError> {
        let record = self
            .store
            .gateway_token(token)
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?
            .ok_or(GatewayError::UnknownToken)?;
        if let Some(code) = record.behaviour.strip_prefix("decline_attach:") {
            return Err(GatewayError::declined(code));
        }
        card_of(&record)
    }

    async fn charge(
        &self,
        token: &str,
        amount: Money,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<String, GatewayError> {
        let record = self
            .store
            .gateway_token(token)
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?
            .ok_or(GatewayError::UnknownToken)?;
        let outcome = outcome_of(&record.behaviour);
        let charge = self
            .store
            .record_gateway_charge(&GatewayChargeRecord {
                id: new_id("ch"),
                token: token.into(),
                amount: amount.amount(),
                currency: amount.currency().code().into(),
                idempotency_key: idempotency_key.into(),
                outcome,
                created_at: now,
            })
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?;
        verdict_of(charge)
    }

    async fn charge_many(&self, requests: &[ChargeRequest]) -> Vec<Result<String, GatewayError>> {
        let mut tokens: Vec<String> = requests.iter().map(|r| r.token.clone()).collect();
        tokens.sort();
        tokens.dedup();
        let vault: HashMap<String, GatewayTokenRecord> =
            match self.store.gateway_tokens(&tokens).await {
                Ok(found) => found.into_iter().map(|t| (t.token.clone(), t)).collect(),
                Err(e) => return unavailable(requests.len(), &e),
            };
        let charges: Vec<GatewayChargeRecord> = requests
            .iter()
            .filter_map(|r| {
                let card = vault.get(&r.token)?;
                Some(GatewayChargeRecord {
                    id: new_id("ch"),
                    token: r.token.clone(),
                    amount: r.amount.amount(),
                    currency: r.amount.currency().code().into(),
                    idempotency_key: r.idempotency_key.clone(),
                    outcome: outcome_of(&card.behaviour),
                    created_at: r.now,
                })
            })
            .collect();
        let stored = match self.store.record_gateway_charges(&charges).await {
            Ok(stored) => stored,
            Err(e) => return unavailable(requests.len(), &e),
        };
        let mut stored = stored.into_iter();
        requests
            .iter()
            .map(|r| match vault.get(&r.token) {
                None => Err(GatewayError::UnknownToken),
                Some(_) => stored.next().map_or_else(
                    || Err(anyhow::anyhow!("a charge went unanswered").into()),
                    verdict_of,
                ),
            })
            .collect()
    }

    async fn refund(
        &self,
        charge_id: &str,
        amount: Money,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<String, GatewayError> {
        let refund = self
            .store
            .record_gateway_charge(&GatewayChargeRecord {
                id: new_id("re"),
                token: charge_id.into(),
                amount: -amount.amount(),
                currency: amount.currency().code().into(),
                idempotency_key: idempotency_key.into(),
                outcome: format!("refunded:{charge_id}"),
                created_at: now,
            })
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?;
        Ok(refund.id)
    }
}
