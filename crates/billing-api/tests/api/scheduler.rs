//! The scheduler's pass over accounts on the server's clock (SPEC §10–§11):
//! due renewals are done in groups, each account's exactly once however
//! many passes and instances run; a declined card still makes the account
//! past due; a charge whose answer was lost is asked again under its key,
//! never made twice.

use crate::helpers::{spawn_app, spawn_instances};
use async_trait::async_trait;
use billing_api::gateway::{CardInput, ChargeRequest, GatewayCard, GatewayError, PaymentGateway};
use billing_api::scheduler::run_pass;
use billing_api::services::seed::seed_renewals_due;
use billing_api::state::AppState;
use billing_api::store::{GatewayTokenRecord, PaymentMethodRecord, Write};
use billing_domain::invoice::InvoiceStatus;
use billing_domain::{Money, SubscriptionStatus};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The accounts on the server's clock with work due within a week.
async fn due_accounts(state: &AppState) -> Vec<String> {
    let horizon = state.clock.now() + chrono::Duration::days(7);
    let mut ids = state.store.accounts_with_work(horizon).await.unwrap();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pass_renews_every_due_account_once() {
    let app = spawn_app().await;
    let period_end = seed_renewals_due(&app.state, 600).await.unwrap();
    assert!(period_end <= app.state.clock.now());
    let pass = run_pass(&app.state, 3).await.unwrap();
    assert_eq!((pass.accounts, pass.jobs, pass.failed), (600, 600, 0));
    let tally = app.state.store.renewal_tally(period_end).await.unwrap();
    assert_eq!(tally.accounts, 600);
    assert!(tally.exactly_once(), "{tally:?}");

    assert!(
        due_accounts(&app.state).await.is_empty(),
        "nothing is due any more"
    );
    let pass = run_pass(&app.state, 3).await.unwrap();
    assert_eq!((pass.accounts, pass.jobs), (0, 0));
    assert_eq!(
        app.state.store.renewal_tally(period_end).await.unwrap(),
        tally
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_renewal_in_a_group_is_the_renewal_one_by_one() {
    let app = spawn_app().await;
    seed_renewals_due(&app.state, 2).await.unwrap();
    let ids = due_accounts(&app.state).await;
    // One account renewed alone, the other in a group.
    billing_api::scheduler::run_due(&app.state, &ids[0], app.state.clock.now())
        .await
        .unwrap();
    run_pass(&app.state, 1).await.unwrap();
    let store = &app.state.store;
    let mut seen = Vec::new();
    for id in &ids {
        let sub = store.subscription(id).await.unwrap().unwrap();
        let invoices = store.invoices(id, 10, None).await.unwrap();
        let renewal = &invoices[0];
        let ledger = store.ledger(id).await.unwrap();
        let audit: Vec<String> = store
            .audit_log(id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        let emails: Vec<String> = store
            .emails(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        let charges = store.gateway_charges_of_account(id).await.unwrap();
        // The receipt names the invoice by the number the store gave it.
        let receipt = store
            .emails(id)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.kind == "invoice_paid")
            .unwrap();
        assert!(
            receipt.subject.contains(&renewal.number),
            "{id}: {} / {} of {:?}",
            receipt.subject,
            renewal.number,
            invoices.iter().map(|i| &i.number).collect::<Vec<_>>()
        );
        assert_eq!(renewal.status, InvoiceStatus::Paid);
        assert_eq!(renewal.attempt_count, 1);
        assert!(renewal.pending_key.is_none() && renewal.pending_token.is_none());
        assert_eq!(renewal.charge_id.as_deref(), Some(charges[1].id.as_str()));
        assert_eq!(charges[1].idempotency_key, format!("{}:1", renewal.id));
        seen.push((
            sub.status,
            sub.version,
            sub.current_period_start == renewal.period_start.unwrap(),
            invoices.len(),
            // Numbers are vendor-wide: each renewal has the next one.
            renewal.number.starts_with("INV-") && renewal.number.len() == 10,
            renewal.total,
            ledger.len(),
            audit,
            emails,
            charges.len(),
        ));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0].0, SubscriptionStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn passes_on_three_instances_at_once_renew_each_account_once() {
    let apps = spawn_instances(3).await;
    let period_end = seed_renewals_due(&apps[0].state, 900).await.unwrap();
    let passes = futures::future::join_all(apps.iter().map(|app| run_pass(&app.state, 2))).await;
    let jobs: usize = passes.iter().map(|p| p.as_ref().unwrap().jobs).sum();
    let failed: usize = passes.iter().map(|p| p.as_ref().unwrap().failed).sum();
    assert_eq!((jobs, failed), (900, 0), "{passes:?}");
    let tally = apps[1].state.store.renewal_tally(period_end).await.unwrap();
    assert!(tally.exactly_once(), "{tally:?}");
}

/// Gives the account a card that saves but declines every charge.
async fn declining_card(state: &AppState, account_id: &str) {
    let token = format!("tok_declines_{account_id}");
    let now = state.clock.now();
    state
        .store
        .insert_gateway_token(&GatewayTokenRecord {
            token: token.clone(),
            brand: "visa".into(),
            last4: "0341".into(),
            exp_month: 12,
            exp_year: 2034,
            behaviour: "decline_charges".into(),
            created_at: now,
        })
        .await
        .unwrap();
    state
        .store
        .commit(vec![Write::SetDefaultPaymentMethod(PaymentMethodRecord {
            id: format!("pm_declines_{account_id}"),
            account_id: account_id.into(),
            brand: "visa".into(),
            last4: "0341".into(),
            exp_month: 12,
            exp_year: 2034,
            gateway_token: token,
            is_default: true,
            created_at: now,
        })])
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_declined_renewal_goes_past_due_and_the_others_are_paid() {
    let app = spawn_app().await;
    let state = &app.state;
    let period_end = seed_renewals_due(state, 40).await.unwrap();
    let ids = due_accounts(state).await;
    let declining = &ids[..4];
    for id in declining {
        declining_card(state, id).await;
    }
    let pass = run_pass(state, 2).await.unwrap();
    assert_eq!(pass.failed, 0);
    for id in &ids {
        let sub = state.store.subscription(id).await.unwrap().unwrap();
        let renewal = state.store.invoices(id, 1, None).await.unwrap().remove(0);
        let emails: Vec<String> = state
            .store
            .emails(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        let charges = state.store.gateway_charges_of_account(id).await.unwrap();
        let renewal_charges = charges
            .iter()
            .filter(|c| c.created_at >= period_end)
            .count();
        assert_eq!(renewal_charges, 1, "{id}: {charges:?}");
        if declining.contains(id) {
            assert_eq!(sub.status, SubscriptionStatus::PastDue, "{id}");
            assert!(sub.grace_until.is_some());
            assert_eq!(renewal.status, InvoiceStatus::Open);
            assert_eq!(renewal.attempt_count, 1);
            assert!(renewal.pending_key.is_none(), "the attempt is settled");
            assert_eq!(emails, vec!["card_declined"]);
        } else {
            assert_eq!(sub.status, SubscriptionStatus::Active, "{id}");
            assert_eq!(renewal.status, InvoiceStatus::Paid);
            assert_eq!(emails, vec!["invoice_paid"]);
        }
    }
    // Nothing more is due now: another pass changes nothing.
    let again = run_pass(state, 2).await.unwrap();
    assert_eq!((again.jobs, again.failed), (0, 0));
}

/// A processor whose answers to charges made together are lost on the
/// way back, after it charged.
struct LosesAnswers(Arc<dyn PaymentGateway>);

#[async_trait]
impl PaymentGateway for LosesAnswers {
    async fn tokenize(
        &self,
        card: CardInput,
        now: DateTime<Utc>,
    ) -> Result<GatewayCard, GatewayError> {
        self.0.tokenize(card, now).await
    }

    async fn attach(&self, token: &str, now: DateTime<Utc>) -> Result<GatewayCard, GatewayError> {
        self.0.attach(token, now).await
    }

    async fn charge(
        &self,
        token: &str,
        amount: Money,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<String, GatewayError> {
        self.0.charge(token, amount, idempotency_key, now).await
    }

    async fn charge_many(&self, requests: &[ChargeRequest]) -> Vec<Result<String, GatewayError>> {
        let _charged = self.0.charge_many(requests).await;
        requests
            .iter()
            .map(|_| {
                Err(GatewayError::Unavailable(anyhow::anyhow!(
                    "connection reset"
                )))
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
        self.0.refund(charge_id, amount, idempotency_key, now).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_charge_whose_answer_was_lost_is_asked_again_and_made_once() {
    let app = spawn_app().await;
    let state = app
        .state
        .with_gateway(Arc::new(LosesAnswers(app.state.gateway.clone())));
    let period_end = seed_renewals_due(&state, 30).await.unwrap();
    let pass = run_pass(&state, 2).await.unwrap();
    assert_eq!((pass.jobs, pass.failed), (30, 0), "{pass:?}");
    let tally = state.store.renewal_tally(period_end).await.unwrap();
    assert!(tally.exactly_once(), "{tally:?}");
    assert!(
        due_accounts(&app.state).await.is_empty(),
        "nothing is due any more"
    );
}
