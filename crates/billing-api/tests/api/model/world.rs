//! What is read from the API after each step: the overview, the ledger,
//! the invoices and the gateway's records, and the JSON helpers to read them.

use super::{Ctx, Res, Ts};
use crate::helpers::Client;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;

/// Minor units of a money object (or a bare number); 0 when absent.
pub(super) fn money(v: &Value) -> i64 {
    v.get("amount").unwrap_or(v).as_i64().unwrap_or(0)
}

/// The items of a JSON array (none if it is not one).
pub(super) fn arr(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// An RFC 3339 time.
pub(super) fn ts(v: &Value) -> Option<Ts> {
    let t = DateTime::parse_from_rfc3339(v.as_str()?).ok()?;
    Some(t.with_timezone(&Utc))
}

/// What the API shows after a step.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct World {
    pub(super) ov: Value,
    pub(super) ledger: Vec<Value>,
    pub(super) invoices: Vec<Value>,
    /// The gateway's charges and refunds.
    pub(super) gateway: Vec<Value>,
    /// The e-mails queued for the account.
    pub(super) emails: Vec<Value>,
}

/// Successful card charges (id, amount) and refunds (id, charge, amount).
pub(super) type Card = (Vec<(String, i64)>, Vec<(String, String, i64)>);

impl World {
    /// The sum of the ledger's entries of `kind`.
    pub(super) fn ledger_sum(&self, kind: &str) -> i64 {
        let entries = self.ledger.iter().filter(|e| e["kind"] == kind);
        entries.map(|e| money(&e["amount"])).sum()
    }

    /// The overview's (credit balance, credit held).
    pub(super) fn balance(&self) -> (i64, i64) {
        (
            money(&self.ov["credit_balance"]),
            money(&self.ov["credit_held"]),
        )
    }

    /// The gateway's successful charges and refunds.
    pub(super) fn card(&self) -> Card {
        let (mut charges, mut refunds) = (vec![], vec![]);
        for g in &self.gateway {
            let (id, amount) = (
                g["id"].as_str().unwrap_or("").to_string(),
                money(&g["amount"]),
            );
            let outcome = g["outcome"].as_str().unwrap_or("");
            if amount > 0 && outcome.starts_with("succeeded") {
                charges.push((id, amount));
            } else if amount < 0 && !outcome.starts_with("failed") {
                let of = g["refund_of"].as_str().unwrap_or("").to_string();
                refunds.push((id, of, -amount));
            }
        }
        (charges, refunds)
    }
}

impl Ctx {
    /// Sends a request: the status and the JSON body (`Null` when none).
    pub(super) async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        self.sent.set(self.sent.get() + 1);
        let res = req.send().await.expect("the app answers");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Every item of a list route (`data` or `entries`), following `has_more`.
    async fn list(&self, client: &Client, path: &str) -> Res<Vec<Value>> {
        let (mut out, mut url) = (vec![], path.to_string());
        loop {
            let (status, body) = self.send(client.get(&url)).await;
            ensure!(
                status == StatusCode::OK,
                "GET {url} answered {status}: {body}"
            );
            let page: Vec<Value> = arr(body.get("data").or(body.get("entries")).unwrap_or(&body))
                .cloned()
                .collect();
            out.extend(page.iter().cloned());
            let last = page.last().and_then(|l| l["id"].as_str());
            let Some(id) = last.filter(|_| body["has_more"] == true) else {
                return Ok(out);
            };
            url = format!(
                "{path}{}starting_after={id}",
                ["?", "&"][usize::from(path.contains('?'))]
            );
        }
    }

    /// The overview, ledger, invoices, gateway records and e-mails now, read at once:
    /// the step has been answered, and nothing acts on the account until
    /// the next one.
    pub(super) async fn world(&self) -> Res<World> {
        let gateway = format!("/api/test/accounts/{}/gateway-charges", self.account);
        let emails = format!("/api/test/accounts/{}/emails", self.account);
        let ((status, ov), ledger, invoices, gateway, emails) = tokio::join!(
            self.send(self.owner.get("/api/billing/overview")),
            self.list(&self.owner, "/api/ledger"),
            self.list(&self.owner, "/api/invoices?limit=100"),
            self.list(&self.tester, &gateway),
            self.list(&self.tester, &emails),
        );
        ensure!(
            status == StatusCode::OK,
            "GET /api/billing/overview answered {status}: {ov}"
        );
        Ok(World {
            ov,
            ledger: ledger?,
            invoices: invoices?,
            gateway: gateway?,
            emails: emails?,
        })
    }
}
