//! Sending each operation's requests, and what the model expects of them.

use super::expected::{Model, St};
use super::ops::{change_body, change_of, Op};
use super::prices::CARD_YEAR;
use super::world::{arr, money, ts, World};
use super::{same, Ctx, Res, Ts};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// What an operation asks to be checked once the world after it is known.
#[derive(Debug)]
pub(super) enum After {
    /// The step's new card charges sum to this (invariant 2).
    Charged(i64),
    /// The step refunded this to the card and credited the balance this.
    Refunded(i64, i64),
    /// A withdrawal: (balance after if known, held grew by, balance grew by).
    Held(Option<i64>, i64, i64),
    /// The renewal at this date bills this (invariant 1), to the card if
    /// one is on file.
    Renewal(Ts, i64, bool),
}

/// What the rules say of an operation in the model's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Expect {
    /// If accepted, it does what the step's `next` model says.
    #[default]
    Apply,
    /// Accepted or not, nothing changes.
    NoChange,
    /// It must be refused.
    Refuse,
    /// The rules are silent: if accepted, the case leaves the model.
    Unknown,
}

/// One step: the final request's status (`None`: not sent) and what to check.
#[derive(Default)]
pub(super) struct Step {
    pub(super) expect: Expect,
    pub(super) status: Option<StatusCode>,
    pub(super) detail: String,
    pub(super) next: Option<Model>,
    /// The other reading of an open rule, taken when `next` fails the checks.
    pub(super) alt: Option<Model>,
    pub(super) after: Vec<After>,
}

impl Ctx {
    /// POSTs `body` as the owner.
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.owner.post(path).json(&body)).await
    }

    /// Sends `op`'s requests; what the model expects of them.
    pub(super) async fn step(&self, m: &Model, op: &Op, w: &World) -> Res<Step> {
        use Expect::*;
        let (c, if_match) = (&self.owner, format!("\"{}\"", w.ov["version"]));
        let (mut s, mut next) = (Step::default(), m.clone());
        let (status, body) = match op {
            Op::ChangeSeats(_)
            | Op::ChangePlan(_)
            | Op::ChangeInterval(_)
            | Op::SetAddOns(_)
            | Op::ChangeMany(_) => {
                let planned = m.change(op, false);
                s.expect = match &planned {
                    _ if m.st != St::Active => Refuse,
                    None => NoChange,
                    Some((_, card)) if *card > 0 && m.cannot_pay() => Refuse,
                    Some(_) => Apply,
                };
                (next, s.alt) = (
                    planned.map_or(next, |p| p.0),
                    m.change(op, true).map(|p| p.0),
                );
                let mut body = change_body(change_of(op));
                let (status, preview) = self.post("/api/subscription/preview", body.clone()).await;
                if !status.is_success() {
                    s.detail = format!("preview {status} {}", preview["error"]["code"]);
                    return Ok(s);
                }
                body["proration_date"] = preview["proration_date"].clone();
                let req = c
                    .post("/api/subscription/changes")
                    .header("if-match", &if_match);
                let (status, res) = self.send(req.json(&body)).await;
                if status.is_success() {
                    same(
                        "invariant 2: the change against its preview",
                        &res["change"],
                        &preview,
                    )?;
                    s.after
                        .push(After::Charged(money(&preview["amount_due_today"])));
                }
                (status, res)
            }
            Op::UndoPending(kind) => {
                if *kind == "seats" {
                    next.pend_seats = None;
                } else {
                    next.pend_iv = None;
                }
                let path = format!("/api/subscription/pending-changes/{kind}");
                self.send(c.delete(&path).header("if-match", &if_match))
                    .await
            }
            Op::AcceptDiscount => {
                // SPEC §11: at most once in 12 months, never while one is in force.
                let recent = m
                    .discount_at
                    .is_some_and(|t| m.now < t + Duration::days(365));
                s.expect = match m.st {
                    _ if m.discount_left > 0 || recent => Refuse,
                    St::Active => Apply,
                    _ => Unknown,
                };
                (next.discount_left, next.discount_at) = (3, Some(m.now));
                let (_, run) = self.post("/api/cancel-flow/sessions", json!({})).await;
                let path = format!(
                    "/api/cancel-flow/sessions/{}",
                    run["id"].as_str().unwrap_or("")
                );
                let (_, run) = self
                    .send(c.patch(&path).json(&json!({ "reason": "too_expensive" })))
                    .await;
                if !arr(&run["offers"]).any(|o| o["id"] == "discount_25_3") {
                    s.detail = format!("not offered {}", run["error"]["code"]);
                    return Ok(s);
                }
                let accept = json!({ "offer_id": "discount_25_3" });
                self.post(&format!("{path}/accept"), accept).await
            }
            Op::Pause => {
                s.expect = match m.st {
                    St::Active => Apply,
                    St::Paused => NoChange,
                    _ => Unknown,
                };
                next.st = St::Paused;
                self.post("/api/subscription/pause", json!({})).await
            }
            Op::Resume => {
                let planned = m.resume();
                s.expect = match (m.st, &planned) {
                    (St::Active, _) => NoChange,
                    (_, Some((_, card))) if *card > 0 && m.cannot_pay() => Refuse,
                    (_, Some(_)) => Apply,
                    _ => Unknown,
                };
                next = planned.map_or(next, |p| p.0);
                self.send(c.post("/api/subscription/resume")).await
            }
            Op::ScheduleCancel => {
                s.expect = match m.st {
                    St::Active | St::Paused => Apply,
                    St::CancelScheduled => NoChange,
                    _ => Unknown,
                };
                (next.st, next.was_paused) = (St::CancelScheduled, m.st == St::Paused);
                let (_, flow) = self.send(c.get("/api/cancel-flow")).await;
                let ack: Vec<&Value> = arr(&flow["consequences"]).map(|c| &c["id"]).collect();
                let body = json!({ "confirmation": "CONFIRM", "acknowledged": ack });
                self.post("/api/subscription/cancel", body).await
            }
            Op::WithdrawCancel => {
                s.expect = [NoChange, Apply][usize::from(m.st == St::CancelScheduled)];
                next.st = [St::Active, St::Paused][usize::from(m.was_paused)];
                self.send(c.delete("/api/subscription/cancel")).await
            }
            Op::Refund => {
                let paid_plan = !m.pause_month && m.purchased.is_some();
                s.expect = match m.st {
                    St::Active | St::CancelScheduled | St::Paused if paid_plan => Apply,
                    St::Canceled => Refuse,
                    _ => Unknown,
                };
                let (status, quote) = self.send(c.get("/api/refunds")).await;
                if !status.is_success() {
                    s.detail = format!("quote {status} {}", quote["error"]["code"]);
                    return Ok(s);
                }
                let (n, full, amount) = m.refund();
                let kind = ["partial", "full"][usize::from(full)];
                s.detail = format!(
                    "model: {kind} {amount}; quote: {} {}",
                    quote["kind"],
                    money(&quote["amount"])
                );
                next = n;
                let (status, res) = self
                    .post("/api/refunds", json!({ "confirmation": "CONFIRM" }))
                    .await;
                let (to_card, to_balance) = (money(&quote["to_card"]), money(&quote["to_balance"]));
                if status.is_success() && s.expect == Apply {
                    let total = money(&quote["amount"]);
                    same(
                        "invariant 3: the quote's to_card + to_balance",
                        to_card + to_balance,
                        total,
                    )?;
                    let sums = |v: &Value| {
                        [
                            money(&v["amount"]),
                            money(&v["to_card"]),
                            money(&v["to_balance"]),
                        ]
                    };
                    same(
                        "invariant 3: the refund against its quote",
                        sums(&res["refund"]),
                        sums(&quote),
                    )?;
                    let why = format!(
                        "invariant 3: the refund's kind (bought {:?}, used {:?})",
                        m.purchased, m.last_use
                    );
                    same(&why, quote["kind"].as_str(), Some(kind))?;
                    s.after.push(After::Refunded(to_card, to_balance));
                }
                (status, res)
            }
            Op::Withdraw => {
                let api = w.balance().0;
                s.expect = [Apply, NoChange][usize::from(api == 0)];
                let (status, res) = self.post("/api/balance/withdrawals", json!({})).await;
                next.withdrawals
                    .push((res["id"].as_str().map(str::to_string), m.balance, api));
                (next.held, next.balance) = (m.held + m.balance, 0);
                s.after.push(After::Held(Some(0), api, -api));
                (status, res)
            }
            Op::DecideWithdrawal { paid } => {
                // The oldest request; its id from the request's answer or the ledger.
                let decided = |e: &Value| {
                    w.ledger.iter().any(|d| {
                        d["withdrawal_id"] == e["withdrawal_id"]
                            && d["kind"] != "withdrawal_requested"
                    })
                };
                let undecided = w
                    .ledger
                    .iter()
                    .find(|e| e["kind"] == "withdrawal_requested" && !decided(e));
                let from_ledger = undecided
                    .and_then(|e| e["withdrawal_id"].as_str())
                    .map(str::to_string);
                let Some((Some(id), model, api)) = m
                    .withdrawals
                    .first()
                    .cloned()
                    .map(|(id, a, b)| (id.or(from_ledger), a, b))
                else {
                    (s.expect, s.detail) = (NoChange, "skipped: none pending".into());
                    return Ok(s);
                };
                let back = if *paid { (0, 0) } else { (model, api) };
                next.withdrawals.remove(0);
                (next.held, next.balance) = (m.held - model, m.balance + back.0);
                s.after.push(After::Held(None, -api, back.1));
                let body = json!({ "decision": if *paid { "paid" } else { "declined" } });
                let path = format!("/api/test/withdrawals/{id}/decision");
                self.send(self.tester.post(&path).json(&body)).await
            }
            Op::DecliningCard | Op::GoodCard => {
                let good = matches!(op, Op::GoodCard);
                let number = ["4000000000000341", "4242424242424242"][usize::from(good)];
                let card = json!({ "number": number, "exp_month": 12, "exp_year": CARD_YEAR, "cvc": "123" });
                let (status, token) = self.post("/api/gateway/tokens", card).await;
                if !status.is_success() {
                    s.detail = format!("tokens {status} {}", token["error"]["code"]);
                    return Ok(s);
                }
                (next, s.alt) = (m.card_saved(good, false), Some(m.card_saved(good, true)));
                self.post("/api/payment-methods", json!({ "token": token["token"] }))
                    .await
            }
            Op::RecordUsage => {
                next.last_use = Some(m.now);
                self.post("/api/usage", json!({ "kind": "chats", "quantity": 1 }))
                    .await
            }
            Op::Advance(secs) => {
                // Never up to the deletion 60 days after the end: the owner
                // could no longer read anything.
                let mut to = m.now + Duration::seconds(*secs);
                let ended =
                    [m.canceled_at, Some(m.end())][usize::from(m.st == St::CancelScheduled)];
                if let Some(ended) =
                    ended.filter(|_| matches!(m.st, St::Canceled | St::CancelScheduled))
                {
                    to = to.min(ended + Duration::days(60) - Duration::hours(1));
                }
                let secs = (to - m.now).num_seconds();
                if secs <= 0 {
                    (s.expect, s.detail) = (NoChange, "skipped: deletion".into());
                    return Ok(s);
                }
                if let Some(date) = ts(&w.ov["next_charge_date"]).filter(|d| *d <= to) {
                    s.after.push(After::Renewal(
                        date,
                        money(&w.ov["next_charge"]),
                        !m.no_card,
                    ));
                }
                next.advance(to);
                s.detail = format!("to {to}");
                let (path, body) = (
                    format!("/api/test/accounts/{}/clock", self.account),
                    json!({ "advance_seconds": secs }),
                );
                self.send(self.tester.post(&path).json(&body)).await
            }
        };
        (s.status, s.next) = (Some(status), Some(next));
        if s.detail.is_empty() {
            s.detail = body["error"]["code"].as_str().unwrap_or("").to_string();
        }
        Ok(s)
    }
}
