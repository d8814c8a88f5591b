//! Model-based test of the money rules (SPEC §3, §5, §6, §11).
//!
//! proptest generates sequences of 5–25 operations (changes through preview
//! then change, undoing pending changes, the retention discount, pause and
//! resume, cancel and its withdrawal, refunds, balance withdrawals and their
//! decisions, declining and good cards, usage, clock advances) and runs each
//! on a fresh test account of one in-process app. After every step the API
//! is checked against a small model kept here, with its own catalog prices,
//! calendar periods, proration and rounding (never billing_domain's pricing):
//!
//! 0. the overview shows the model's status, terms, pending changes, period;
//! 1. the next charge shown is what the next renewal bills;
//! 2. a change charges exactly its preview;
//! 3. what moved (card in − card out − balance − held − withdrawn) is what the
//!    model says is owed for what was had, ±1 cent per invoice line;
//! 4. the credit balance and the held amount are sums of the ledger;
//! 5. no period is billed twice;
//! 6. card refunds never exceed their charges; the ledger's card entries are
//!    the gateway's, one to one.
//!
//! An operation the rules forbid must be refused; a refused one changes
//! nothing. One the rules say nothing about, if accepted, ends the case
//! ("left the model"). Where the rules allow two readings the model keeps
//! both and follows the one the API took. `MODEL_CASES` (default 500),
//! `MODEL_WORKERS` (parallel runners, default 2) and `MODEL_SHRINK_ITERS`
//! (default 256) tune the run.

use crate::helpers::{spawn_app, Client, TestApp, DAY};
use chrono::{DateTime, Duration, Months, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::fmt::Debug;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

type Ts = DateTime<Utc>;
type Res<T = ()> = Result<T, String>;

/// Seat prices per month, by [`Plan`] and [`Iv`] (monthly, billed yearly).
const SEAT: [[i64; 2]; 2] = [[8_900, 7_900], [13_900, 11_900]];
/// The add-ons in wire order: id and monthly price.
const ADD_ONS: [(&str, i64); 3] = [
    ("marketing", 4_000),
    ("operation", 3_000),
    ("support_bot", 5_000),
];
/// The pause plan's monthly price.
const PAUSE: i64 = 100;
/// Card expiry: beyond any date the test clock reaches (2030 would expire
/// after a few long advances and turn every card step into a 400).
const CARD_YEAR: i32 = 2070;

/// Returns `Err(format!(..))` from the enclosing function unless `cond`.
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+));
        }
    };
}

/// `Err` naming `what` with both values, unless `got` is `expected`.
fn same<T: PartialEq + Debug>(what: &str, got: T, expected: T) -> Res {
    ensure!(
        got == expected,
        "{what}: got {got:?}, expected {expected:?}"
    );
    Ok(())
}

/// A self-serve plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Plan {
    Essentials,
    #[default]
    Business,
}

/// A billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Iv {
    #[default]
    Month,
    Year,
}

/// A set of add-ons, as bits of [`ADD_ONS`].
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct AddOns(u8);

impl AddOns {
    /// The indexes into [`ADD_ONS`] of the set's members.
    fn bits(self) -> impl Iterator<Item = usize> {
        (0..3).filter(move |i| self.0 >> i & 1 == 1)
    }

    /// The wire ids, in wire order.
    fn names(self) -> Vec<&'static str> {
        self.bits().map(|i| ADD_ONS[i].0).collect()
    }
}

impl Debug for AddOns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// What the subscription is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Terms {
    plan: Plan,
    iv: Iv,
    seats: u32,
    add_ons: AddOns,
}

impl Terms {
    /// Months in a period.
    fn months(&self) -> u32 {
        [1, 12][self.iv as usize]
    }

    /// One period's list price, seats at the `rate` of that interval.
    fn price_at(&self, rate: Iv) -> i64 {
        let add_ons: i64 = self.add_ons.bits().map(|i| ADD_ONS[i].1).sum();
        let seats = i64::from(self.seats) * SEAT[self.plan as usize][rate as usize];
        (seats + add_ons) * i64::from(self.months())
    }

    /// One period's list price.
    fn price(&self) -> i64 {
        self.price_at(self.iv)
    }
}

/// `a × n / d`, rounded half away from zero.
fn ratio(a: i64, n: i64, d: i64) -> i64 {
    let (num, d) = (i128::from(a) * i128::from(n), i128::from(d.max(1)));
    let up = 2 * (num % d).abs() >= d;
    (num / d + if up { num.signum() } else { 0 }) as i64
}

/// `at` plus `n` calendar months, the day clamped to the month's length.
fn months(at: Ts, n: u32) -> Ts {
    at.checked_add_months(Months::new(n)).expect("a date")
}

/// One generated step.
#[derive(Debug, Clone)]
enum Op {
    ChangeSeats(u32),
    ChangePlan(Plan),
    ChangeInterval(Iv),
    SetAddOns(AddOns),
    UndoPending(&'static str),
    AcceptDiscount,
    Pause,
    Resume,
    ScheduleCancel,
    WithdrawCancel,
    Refund,
    Withdraw,
    DecideWithdrawal { paid: bool },
    DecliningCard,
    GoodCard,
    RecordUsage,
    Advance(i64),
}

/// Operations weighted so that most sequences mix changes with time passing.
fn op_strategy() -> impl Strategy<Value = Op> {
    let advance =
        prop_oneof![3 => 3_600..3 * DAY, 2 => 28 * DAY..=31 * DAY, 1 => 60 * DAY..=400 * DAY];
    prop_oneof![
        4 => (4u32..30).prop_map(Op::ChangeSeats),
        2 => prop_oneof![Just(Plan::Essentials), Just(Plan::Business)].prop_map(Op::ChangePlan),
        2 => prop_oneof![Just(Iv::Month), Just(Iv::Year)].prop_map(Op::ChangeInterval),
        2 => (0u8..8).prop_map(|b| Op::SetAddOns(AddOns(b))),
        1 => prop_oneof![Just("seats"), Just("interval")].prop_map(Op::UndoPending),
        2 => Just(Op::AcceptDiscount),
        2 => Just(Op::Pause),
        2 => Just(Op::Resume),
        2 => Just(Op::ScheduleCancel),
        1 => Just(Op::WithdrawCancel),
        2 => Just(Op::Refund),
        2 => Just(Op::Withdraw),
        2 => any::<bool>().prop_map(|paid| Op::DecideWithdrawal { paid }),
        2 => Just(Op::DecliningCard),
        2 => Just(Op::GoodCard),
        1 => Just(Op::RecordUsage),
        8 => advance.prop_map(Op::Advance),
    ]
}

/// A change request: (plan, interval, seats, add-ons), each left out stays.
type Change = (Option<Plan>, Option<Iv>, Option<u32>, Option<AddOns>);

/// The change a change operation asks for.
fn change_of(op: &Op) -> Change {
    match *op {
        Op::ChangeSeats(n) => (None, None, Some(n), None),
        Op::ChangePlan(p) => (Some(p), None, None, None),
        Op::ChangeInterval(i) => (None, Some(i), None, None),
        Op::SetAddOns(a) => (None, None, None, Some(a)),
        _ => unreachable!("not a change"),
    }
}

/// The request body of a change.
fn change_body((plan, iv, seats, add_ons): Change) -> Value {
    let mut b = json!({ "plan": plan, "interval": iv, "seats": seats, "add_ons": add_ons.map(AddOns::names) });
    b.as_object_mut()
        .expect("an object")
        .retain(|_, v| !v.is_null());
    b
}

/// States the model reaches (a card is always on file, so never `frozen`;
/// advances stop short of deletion, so never `deleted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum St {
    #[default]
    Active,
    PastDue,
    Deactivated,
    Paused,
    CancelScheduled,
    Canceled,
}

/// A renewal the card declined: (subtotal, credit held for it, a pause
/// month, discount months it consumed, its discount fraction).
type Open = (i64, i64, bool, u32, (i64, i64));

/// What the rules say the account is, has and has paid.
#[derive(Debug, Clone, Default)]
struct Model {
    now: Ts,
    st: St,
    terms: Terms,
    pend_seats: Option<u32>,
    pend_iv: Option<Iv>,
    /// The current period is months `mi .. mi + len` from `anchor`.
    anchor: Ts,
    mi: u32,
    len: u32,
    pause_month: bool,
    /// Cancellation was scheduled while paused.
    was_paused: bool,
    grace_until: Option<Ts>,
    canceled_at: Option<Ts>,
    open: Option<Open>,
    card_declines: bool,
    balance: i64,
    held: i64,
    /// Requests waiting: (id if known, the model's amount, the API's).
    withdrawals: Vec<(Option<String>, i64, i64)>,
    discount_left: u32,
    discount_at: Option<Ts>,
    /// The fraction off the current period was billed with.
    frac: (i64, i64),
    /// Paid for the current period (the refund basis): by card, by credit,
    /// and credit granted back.
    paid: (i64, i64, i64),
    purchased: Option<Ts>,
    /// When usage was last recorded (it counts for the period it falls in).
    last_use: Option<Ts>,
    /// The terms in force over the current period, each from a moment on.
    segments: Vec<(Ts, Terms)>,
    /// What the customer should have paid in all, and the rounding allowed.
    spent: i64,
    tol: i64,
    /// Periods (start, end) ended early, and when: invariant 5 ignores the rest.
    cuts: Vec<(Ts, Ts, Ts)>,
}

impl Model {
    /// The test account: Business, monthly, 12 seats, the first month paid.
    fn new(now: Ts, start: Ts) -> Model {
        let mut m = Model {
            now,
            anchor: start,
            len: 1,
            ..Model::default()
        };
        m.terms.seats = 12;
        (m.paid.0, m.spent, m.purchased) = (m.terms.price(), m.terms.price(), Some(start));
        m.segments = vec![(start, m.terms)];
        m
    }

    /// When the current period began.
    fn start(&self) -> Ts {
        months(self.anchor, self.mi)
    }

    /// When the current period ends.
    fn end(&self) -> Ts {
        months(self.anchor, self.mi + self.len)
    }

    /// `full` for the rest of the period at its rate, and the allowance.
    fn prorated(&self, full: i64) -> (i64, i64) {
        let paid = full - ratio(full, self.frac.0, self.frac.1);
        let total = (self.end() - self.start()).num_seconds();
        let left = (self.end() - self.now).num_seconds().clamp(0, total);
        (ratio(paid, left, total), 1 + i64::from(self.frac.0 > 0))
    }

    /// Pending seats and interval take effect.
    fn apply_pending(&mut self) {
        self.terms.seats = self.pend_seats.take().unwrap_or(self.terms.seats);
        self.terms.iv = self.pend_iv.take().unwrap_or(self.terms.iv);
    }

    /// A new refund basis for a period beginning now.
    fn reset_basis(&mut self) {
        (self.paid, self.purchased) = ((0, 0, 0), None);
        self.segments = vec![(self.now, self.terms)];
    }

    /// A new period of the current terms from now (a new anchor).
    fn restart(&mut self) {
        (self.anchor, self.mi, self.len) = (self.now, 0, self.terms.months());
        self.pause_month = false;
        self.reset_basis();
    }

    /// A new period's full price less the discount in force, which it
    /// consumes (unless `keep`): (subtotal, lines, discount months used).
    fn period_charge(&mut self, keep: bool) -> (i64, i64, u32) {
        let (price, months) = (self.terms.price(), self.terms.months());
        // Monthly: one of the N renewals; annual: N/12 of the year (N ≤ 12).
        let used = if keep {
            0
        } else {
            self.discount_left.min(months)
        };
        self.frac = (25 * i64::from(used), 100 * i64::from(months));
        self.discount_left -= used;
        let lines = 1 + i64::from(self.terms.add_ons.0.count_ones() + u32::from(used > 0));
        (price - ratio(price, self.frac.0, self.frac.1), lines, used)
    }

    /// Pays `sub` (credit first, then the card); `netted` is credit already
    /// taken off `sub` on the same invoice; a negative `sub` becomes credit.
    /// Returns what the card pays.
    fn settle(&mut self, sub: i64, netted: i64) -> i64 {
        self.spent += sub;
        if sub < 0 {
            (self.balance, self.paid.2) = (self.balance - sub, self.paid.2 - sub);
            return 0;
        }
        let applied = self.balance.clamp(0, sub);
        self.balance -= applied;
        self.paid.0 += sub - applied;
        self.paid.1 += applied + netted;
        self.purchased.get_or_insert(self.now);
        sub - applied
    }

    /// Bills a new period: paid, or left open (past due) if the card declines.
    fn bill(&mut self, (sub, lines, used): (i64, i64, u32), pause: bool) {
        self.tol += lines;
        let applied = self.balance.clamp(0, sub);
        if sub > applied && self.card_declines {
            self.balance -= applied;
            self.open = Some((sub, applied, pause, used, self.frac));
            (self.st, self.grace_until) = (St::PastDue, Some(self.now + Duration::days(3)));
        } else {
            self.settle(sub, 0);
        }
    }

    /// A pause month billed from now (continuing the calendar if `next`).
    fn bill_pause_month(&mut self, next: bool) {
        let (anchor, mi) = if next {
            (self.anchor, self.mi + self.len)
        } else {
            (self.now, 0)
        };
        (self.anchor, self.mi, self.len) = (anchor, mi, 1);
        (self.pause_month, self.frac) = (true, (0, 1));
        self.reset_basis();
        self.bill((PAUSE, 1, 0), true);
    }

    /// The renewal at the period end (`now`): pending changes, then the price.
    fn renew(&mut self) {
        if self.st == St::Paused {
            return self.bill_pause_month(true);
        }
        self.apply_pending();
        (self.mi, self.len) = (self.mi + self.len, self.terms.months());
        self.pause_month = false;
        self.reset_basis();
        let charge = self.period_charge(false);
        self.bill(charge, false);
    }

    /// Runs what falls due up to `to`, in order.
    fn advance(&mut self, to: Ts) {
        loop {
            let due = match self.st {
                St::Active | St::Paused | St::CancelScheduled => Some(self.end()),
                St::PastDue => self.grace_until,
                St::Deactivated | St::Canceled => None,
            };
            let Some(at) = due.filter(|at| *at <= to) else {
                break;
            };
            self.now = at;
            match self.st {
                St::Active | St::Paused => self.renew(),
                St::CancelScheduled => (self.st, self.canceled_at) = (St::Canceled, Some(at)),
                _ => (self.st, self.grace_until) = (St::Deactivated, None),
            }
        }
        self.now = to;
    }

    /// A change now: the model after it and what the card pays, or `None`
    /// when nothing would change (a pending change counts as asked for).
    /// `keep`: a new annual period does not take the discount in force (the
    /// rules don't say; either reading is accepted).
    fn change(&self, op: &Op, keep: bool) -> Option<(Model, i64)> {
        let (plan, iv, seats, add_ons) = change_of(op);
        let (cur, mut want, mut m) = (self.terms, self.terms, self.clone());
        (want.iv, want.seats) = (
            self.pend_iv.unwrap_or(cur.iv),
            self.pend_seats.unwrap_or(cur.seats),
        );
        let asked = want;
        want.plan = plan.unwrap_or(cur.plan);
        (want.iv, want.seats) = (iv.unwrap_or(want.iv), seats.unwrap_or(want.seats));
        want.add_ons = add_ons.unwrap_or(cur.add_ons);
        if want == asked {
            return None;
        }
        // Fewer seats wait for the renewal; so does annual → monthly.
        let to_month = cur.iv == Iv::Year && want.iv == Iv::Month;
        (m.pend_seats, m.pend_iv) = (
            (want.seats < cur.seats).then_some(want.seats),
            to_month.then_some(Iv::Month),
        );
        m.terms = Terms {
            seats: want.seats.max(cur.seats),
            iv: [want.iv, Iv::Year][usize::from(to_month)],
            ..want
        };
        let new = m.terms;
        if cur.iv == Iv::Month && want.iv == Iv::Year {
            // A new annual period now; the unused month credited at what was paid.
            let (credit, t) = self.prorated(-cur.price());
            m.cuts.push((self.start(), self.end(), self.now));
            m.restart();
            let (sub, lines, _) = m.period_charge(keep);
            m.tol += t + lines;
            let card = m.settle(sub + credit, -credit);
            return Some((m, card));
        }
        let seat = |p: Plan| SEAT[p as usize][cur.iv as usize];
        let mut lines = vec![];
        if new.plan != cur.plan {
            lines.push(-i64::from(cur.seats) * seat(cur.plan));
            lines.push(i64::from(new.seats) * seat(new.plan));
        } else if new.seats > cur.seats {
            lines.push(i64::from(new.seats - cur.seats) * seat(cur.plan));
        }
        let changed = AddOns(cur.add_ons.0 ^ new.add_ons.0);
        lines.extend(
            changed
                .bits()
                .map(|i| ADD_ONS[i].1 * [-1, 1][usize::from(new.add_ons.0 >> i & 1 == 1)]),
        );
        let mut sub = 0;
        for full in lines {
            let (amount, t) = self.prorated(full * i64::from(cur.months()));
            (sub, m.tol) = (sub + amount, m.tol + t);
        }
        m.segments.push((self.now, new));
        let card = m.settle(sub, 0);
        Some((m, card))
    }

    /// Resuming a paused subscription: the model after, what the card pays.
    fn resume(&self) -> Option<(Model, i64)> {
        let mut m = self.clone();
        m.st = St::Active;
        if self.st != St::Paused || !self.pause_month {
            return (self.st == St::Paused).then_some((m, 0));
        }
        // After a pause month: a new period now, less the unused pause time.
        let (unused, t) = self.prorated(PAUSE);
        m.cuts.push((self.start(), self.end(), self.now));
        m.apply_pending();
        m.restart();
        let (sub, lines, _) = m.period_charge(false);
        m.tol += t + lines;
        let card = m.settle(sub - unused, unused);
        Some((m, card))
    }

    /// A card saved (`good` or declining) and what it pays for. Two rules
    /// are open and `alt` takes the other reading: a voided pause month
    /// restarts the pause (else the plan); a reactivation takes the
    /// discount in force (else not).
    fn card_saved(&self, good: bool, alt: bool) -> Model {
        let mut m = self.clone();
        m.card_declines = !good;
        match (self.st, good) {
            (St::PastDue, true) => {
                // Paid within grace: the period is kept.
                let (sub, held, pause, _, frac) = m.open.take().expect("an open invoice");
                (m.frac, m.spent, m.purchased) = (frac, m.spent + sub, Some(m.now));
                (m.paid.0, m.paid.1) = (m.paid.0 + sub - held, m.paid.1 + held);
                (m.st, m.grace_until) = ([St::Active, St::Paused][usize::from(pause)], None);
            }
            (St::Deactivated, true) => {
                // The locked period's invoice is voided; a new period starts now.
                let (_, held, pause, used, _) = m.open.take().expect("an open invoice");
                (m.balance, m.discount_left) = (m.balance + held, m.discount_left + used);
                if pause && !alt {
                    m.st = St::Paused;
                    m.bill_pause_month(false);
                } else {
                    m.st = St::Active;
                    m.apply_pending();
                    m.restart();
                    let charge = m.period_charge(false);
                    m.bill(charge, false);
                }
            }
            (St::Canceled, _) => {
                // Reactivation: a new period now, if the card or the credit pays it.
                let mut r = m.clone();
                (r.st, r.canceled_at) = (St::Active, None);
                r.apply_pending();
                r.restart();
                let charge = r.period_charge(alt);
                if good || charge.0 <= r.balance {
                    r.bill(charge, false);
                    return r;
                }
            }
            _ => {}
        }
        m
    }

    /// Ending now with a refund: the model after, whether full, the amount.
    fn refund(&self) -> (Model, bool, i64) {
        let mut m = self.clone();
        let fresh = self
            .purchased
            .is_some_and(|p| self.now - p <= Duration::days(7));
        let full = fresh && self.last_use < Some(self.start());
        let (card, credit, granted) = self.paid;
        let basis = (card + credit - granted).max(0);
        let (amount, to_balance) = if full {
            (basis, (credit - granted).clamp(0, basis))
        } else {
            // The time used at list price (monthly rates), over the terms in force.
            let total = (self.end() - self.start()).num_seconds();
            let ends = self.segments.iter().skip(1).map(|s| s.0).chain([self.now]);
            let segments = self.segments.iter().zip(ends);
            let used: i64 = segments
                .map(|((from, t), to)| {
                    ratio(t.price_at(Iv::Month), (to - *from).num_seconds(), total)
                })
                .sum();
            m.tol += self.segments.len() as i64;
            ((basis - used).max(0), (basis - used).max(0))
        };
        (m.spent, m.balance) = (m.spent - amount, m.balance + to_balance);
        (m.st, m.canceled_at) = (St::Canceled, Some(self.now));
        m.cuts.push((self.start(), self.end(), self.now));
        (m, full, amount)
    }
}

/// Minor units of a money object (or a bare number); 0 when absent.
fn money(v: &Value) -> i64 {
    v.get("amount").unwrap_or(v).as_i64().unwrap_or(0)
}

/// The items of a JSON array (none if it is not one).
fn arr(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// An RFC 3339 time.
fn ts(v: &Value) -> Option<Ts> {
    let t = DateTime::parse_from_rfc3339(v.as_str()?).ok()?;
    Some(t.with_timezone(&Utc))
}

/// Sends a request: the status and the JSON body (`Null` when none).
async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.expect("the app answers");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// What the API shows after a step.
#[derive(Debug, Clone, PartialEq)]
struct World {
    ov: Value,
    ledger: Vec<Value>,
    invoices: Vec<Value>,
    /// The gateway's charges and refunds.
    gateway: Vec<Value>,
}

/// Successful card charges (id, amount) and refunds (id, charge, amount).
type Card = (Vec<(String, i64)>, Vec<(String, String, i64)>);

impl World {
    /// The sum of the ledger's entries of `kind`.
    fn ledger_sum(&self, kind: &str) -> i64 {
        let entries = self.ledger.iter().filter(|e| e["kind"] == kind);
        entries.map(|e| money(&e["amount"])).sum()
    }

    /// The overview's (credit balance, credit held).
    fn balance(&self) -> (i64, i64) {
        (
            money(&self.ov["credit_balance"]),
            money(&self.ov["credit_held"]),
        )
    }

    /// The gateway's successful charges and refunds.
    fn card(&self) -> Card {
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

/// What an operation asks to be checked once the world after it is known.
#[derive(Debug)]
enum After {
    /// The step's new card charges sum to this (invariant 2).
    Charged(i64),
    /// The step refunded this to the card and credited the balance this.
    Refunded(i64, i64),
    /// A withdrawal: (balance after if known, held grew by, balance grew by).
    Held(Option<i64>, i64, i64),
    /// The renewal at this date bills this (invariant 1).
    Renewal(Ts, i64),
}

/// What the rules say of an operation in the model's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Expect {
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
struct Step {
    expect: Expect,
    status: Option<StatusCode>,
    detail: String,
    next: Option<Model>,
    /// The other reading of an open rule, taken when `next` fails the checks.
    alt: Option<Model>,
    after: Vec<After>,
}

/// A case: the app, the owner's session, the account.
struct Ctx<'a> {
    app: &'a TestApp,
    owner: Client,
    account: String,
}

impl Ctx<'_> {
    /// POSTs `body` as the owner.
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.owner.post(path).json(&body)).await
    }

    /// Every item of a list route (`data` or `entries`), following `has_more`.
    async fn list(&self, client: &Client, path: &str) -> Res<Vec<Value>> {
        let (mut out, mut url) = (vec![], path.to_string());
        loop {
            let (status, body) = send(client.get(&url)).await;
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

    /// The overview, ledger, invoices and gateway records now.
    async fn world(&self) -> Res<World> {
        let (status, ov) = send(self.owner.get("/api/billing/overview")).await;
        ensure!(
            status == StatusCode::OK,
            "GET /api/billing/overview answered {status}: {ov}"
        );
        let gateway = format!("/api/test/accounts/{}/gateway-charges", self.account);
        let ledger = self.list(&self.owner, "/api/ledger").await?;
        let invoices = self.list(&self.owner, "/api/invoices?limit=100").await?;
        let gateway = self.list(&self.app.client(), &gateway).await?;
        Ok(World {
            ov,
            ledger,
            invoices,
            gateway,
        })
    }

    /// Sends `op`'s requests; what the model expects of them.
    async fn step(&self, m: &Model, op: &Op, w: &World) -> Res<Step> {
        use Expect::*;
        let (c, if_match) = (&self.owner, format!("\"{}\"", w.ov["version"]));
        let (mut s, mut next) = (Step::default(), m.clone());
        let (status, body) = match op {
            Op::ChangeSeats(_) | Op::ChangePlan(_) | Op::ChangeInterval(_) | Op::SetAddOns(_) => {
                let planned = m.change(op, false);
                s.expect = match &planned {
                    _ if m.st != St::Active => Refuse,
                    None => NoChange,
                    Some((_, card)) if *card > 0 && m.card_declines => Refuse,
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
                let (status, res) = send(req.json(&body)).await;
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
                send(c.delete(&path).header("if-match", &if_match)).await
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
                let (_, run) =
                    send(c.patch(&path).json(&json!({ "reason": "too_expensive" }))).await;
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
                    (_, Some((_, card))) if *card > 0 && m.card_declines => Refuse,
                    (_, Some(_)) => Apply,
                    _ => Unknown,
                };
                next = planned.map_or(next, |p| p.0);
                send(c.post("/api/subscription/resume")).await
            }
            Op::ScheduleCancel => {
                s.expect = match m.st {
                    St::Active | St::Paused => Apply,
                    St::CancelScheduled => NoChange,
                    _ => Unknown,
                };
                (next.st, next.was_paused) = (St::CancelScheduled, m.st == St::Paused);
                let (_, flow) = send(c.get("/api/cancel-flow")).await;
                let ack: Vec<&Value> = arr(&flow["consequences"]).map(|c| &c["id"]).collect();
                let body = json!({ "confirmation": "CONFIRM", "acknowledged": ack });
                self.post("/api/subscription/cancel", body).await
            }
            Op::WithdrawCancel => {
                s.expect = [NoChange, Apply][usize::from(m.st == St::CancelScheduled)];
                next.st = [St::Active, St::Paused][usize::from(m.was_paused)];
                send(c.delete("/api/subscription/cancel")).await
            }
            Op::Refund => {
                let paid_plan = !m.pause_month && m.purchased.is_some();
                s.expect = match m.st {
                    St::Active | St::CancelScheduled | St::Paused if paid_plan => Apply,
                    St::Canceled => Refuse,
                    _ => Unknown,
                };
                let (status, quote) = send(c.get("/api/refunds")).await;
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
                send(self.app.client().post(&path).json(&body)).await
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
                    s.after
                        .push(After::Renewal(date, money(&w.ov["next_charge"])));
                }
                next.advance(to);
                s.detail = format!("to {to}");
                let (path, body) = (
                    format!("/api/test/accounts/{}/clock", self.account),
                    json!({ "advance_seconds": secs }),
                );
                send(self.app.client().post(&path).json(&body)).await
            }
        };
        (s.status, s.next) = (Some(status), Some(next));
        if s.detail.is_empty() {
            s.detail = body["error"]["code"].as_str().unwrap_or("").to_string();
        }
        Ok(s)
    }
}

/// The checks an operation asked for, on the worlds before and after it.
fn verify_after(b: &World, a: &World, checks: &[After]) -> Res {
    let ((charges, refunds), (old_charges, old_refunds)) = (a.card(), b.card());
    let charged: i64 = charges
        .iter()
        .filter(|c| !old_charges.contains(c))
        .map(|c| c.1)
        .sum();
    let refunded: i64 = refunds
        .iter()
        .filter(|r| !old_refunds.contains(r))
        .map(|r| r.2)
        .sum();
    let ((bal, held), (bal0, held0)) = (a.balance(), b.balance());
    for check in checks {
        match *check {
            After::Charged(due) => same(
                "invariant 2: the card charged against the preview's amount due today",
                charged,
                due,
            )?,
            After::Refunded(card, balance) => {
                let what = "invariant 3: (refunded to the card, credited) against the quote's (to_card, to_balance)";
                same(what, (refunded, bal - bal0), (card, balance))?;
            }
            After::Held(after, grew, back) => {
                let what =
                    "invariant 4: a withdrawal's (balance after, held grew by, balance grew by)";
                same(
                    what,
                    (after.map(|_| bal), held - held0, bal - bal0),
                    (after, grew, back),
                )?;
            }
            After::Renewal(date, amount) => {
                let made: Vec<&Value> = a
                    .invoices
                    .iter()
                    .filter(|i| ts(&i["created_at"]) == Some(date))
                    .collect();
                ensure!(
                    made.len() == 1,
                    "invariant 1: {} invoices made at the next charge date {date}",
                    made.len()
                );
                let what = format!(
                    "invariant 1: the renewal {} on {date} against the next charge shown",
                    made[0]["number"]
                );
                same(&what, money(&made[0]["total"]), amount)?;
                let tried = a
                    .gateway
                    .iter()
                    .filter(|g| ts(&g["created_at"]) == Some(date) && money(&g["amount"]) > 0);
                let tried: Vec<i64> = tried.map(|g| money(&g["amount"])).collect();
                let want = vec![amount; if amount == 0 { 0 } else { tried.len().max(1) }];
                same(
                    &format!("invariant 1: the card charges on {date} against the next charge"),
                    tried,
                    want,
                )?;
            }
        }
    }
    Ok(())
}

/// Nothing money-relevant changed between `b` and `a`, else what did.
fn unchanged(b: &World, a: &World) -> Res {
    let keys =
        a.ov.as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| b.ov[k.as_str()] != **v);
    let keys: Vec<String> = keys
        .map(|(k, v)| format!("{k}: {} → {v}", b.ov[k.as_str()]))
        .collect();
    ensure!(keys.is_empty(), "the overview changed: {}", keys.join("; "));
    same("the ledger", &a.ledger, &b.ledger)?;
    same("the invoices", &a.invoices, &b.invoices)?;
    same("the card's charges and refunds", a.card(), b.card())
}

/// Invariants 0 and 3–6 of the world `w` against the model `m`.
fn check(m: &Model, w: &World) -> Res {
    let (ov, t) = (&w.ov, m.terms);
    // 0. The overview shows the model's state.
    let dated = !matches!(m.st, St::Deactivated | St::Canceled);
    let mut add_ons: Vec<&str> = arr(&ov["add_ons"]).filter_map(Value::as_str).collect();
    add_ons.sort_unstable();
    let period = [&ov["current_period_start"], &ov["current_period_end"]];
    let shown = json!({
        "status": ov["status"], "plan": ov["plan"], "interval": ov["interval"],
        "seats": ov["seats"]["purchased"], "add_ons": add_ons, "pending": ov["pending"],
        "discount_months": ov["discount"]["months_left"], "now": ov["as_of"],
        "period": if dated { json!(period) } else { Value::Null },
    });
    let want = json!({
        "status": m.st, "plan": t.plan, "interval": t.iv, "seats": t.seats,
        "add_ons": t.add_ons.names(), "pending": { "seats": m.pend_seats, "interval": m.pend_iv },
        "discount_months": (m.discount_left > 0).then_some(m.discount_left), "now": m.now,
        "period": if dated { json!([m.start(), m.end()]) } else { Value::Null },
    });
    let diff = want
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| shown[k] != **v);
    let diff: Vec<String> = diff
        .map(|(k, v)| format!("{k}: got {}, expected {v}", shown[k]))
        .collect();
    ensure!(
        diff.is_empty(),
        "invariant 0: the overview shows {}",
        diff.join("; ")
    );

    // 4. The balance and the held amount are sums of the ledger, never negative.
    ensure!(
        ov.get("credit_held").is_some(),
        "invariant 4: the overview has no credit_held"
    );
    let ((bal, held), sum) = (w.balance(), |k| w.ledger_sum(k));
    let (requested, paid_out, declined) = (
        sum("withdrawal_requested"),
        sum("withdrawal_paid"),
        sum("withdrawal_declined"),
    );
    let available = sum("credit_granted") - sum("credit_applied") - requested + declined;
    same(
        "invariant 4: (balance, held) against the ledger",
        (bal, held),
        (available, requested - paid_out - declined),
    )?;
    ensure!(
        bal >= 0 && held >= 0,
        "invariant 4: balance {bal} or held {held} is negative"
    );

    // 6. Card refunds never exceed their charges; the ledger's card entries are the gateway's.
    let (charges, refunds) = w.card();
    for (id, of, _) in &refunds {
        let charge = charges.iter().find(|c| &c.0 == of).map_or(0, |c| c.1);
        let back: i64 = refunds.iter().filter(|r| &r.1 == of).map(|r| r.2).sum();
        ensure!(
            back <= charge,
            "invariant 6: charge {of:?} of {charge} is refunded {back} (refund {id})"
        );
    }
    let gateway = [
        charges.clone(),
        refunds.iter().map(|r| (r.0.clone(), r.2)).collect(),
    ];
    for (kind, mut gateway) in ["card_charge", "card_refund"].into_iter().zip(gateway) {
        let entries = w.ledger.iter().filter(|e| e["kind"] == kind);
        let mut ledger: Vec<_> = entries
            .map(|e| {
                (
                    e["charge_id"].as_str().unwrap_or("").to_string(),
                    money(&e["amount"]),
                )
            })
            .collect();
        ledger.sort();
        gateway.sort();
        same(
            &format!("invariant 6: the ledger's {kind} entries against the gateway"),
            ledger,
            gateway,
        )?;
    }

    // 3. What moved is what the customer owes for what they had.
    let card_in: i64 = charges.iter().map(|c| c.1).sum();
    let card_out: i64 = refunds.iter().map(|r| r.2).sum();
    let open = w.invoices.iter().filter(|i| i["status"] == "open");
    let reserved: i64 = open.map(|i| money(&i["credit_applied"])).sum();
    let moved = card_in - card_out - bal - held - paid_out - reserved;
    ensure!(
        (moved - m.spent).abs() <= m.tol,
        "invariant 3: the model says {} was owed (±{}); what moved is {moved} = card {card_in} − refunds {card_out} \
         − balance {bal} − held {held} − withdrawn {paid_out} − credit on open invoices {reserved}",
        m.spent, m.tol
    );

    // 5. No period is billed twice (one ended early counts to that moment).
    let (mut spans, mut cuts) = (vec![], m.cuts.clone());
    for inv in w.invoices.iter().rev().filter(|i| i["status"] != "void") {
        let lines = arr(&inv["lines"]).filter(|l| l["kind"] == "plan");
        let plan: Vec<(Ts, Ts)> = lines
            .filter_map(|l| Some((ts(&l["period_start"])?, ts(&l["period_end"])?)))
            .collect();
        let (Some(start), Some(end)) = (
            plan.iter().map(|p| p.0).min(),
            plan.iter().map(|p| p.1).max(),
        ) else {
            continue;
        };
        // The oldest invoice of a period ended early takes its cut.
        let cut = cuts.iter().position(|c| (c.0, c.1) == (start, end));
        let end = cut.map_or(end, |i| end.min(cuts.remove(i).2));
        if start < end {
            spans.push((start, end, &inv["number"]));
        }
    }
    spans.sort_by_key(|s| (s.0, s.1));
    for pair in spans.windows(2) {
        let ((s0, e0, n0), (s1, e1, n1)) = (pair[0], pair[1]);
        ensure!(
            e0 <= s1,
            "invariant 5: {n0} bills {s0} → {e0} and {n1} bills {s1} → {e1}"
        );
    }
    Ok(())
}

/// Runs one case on a fresh account: each step's op and whether the API
/// took it, and whether the case left the model.
async fn run_case(app: &TestApp, ops: &[Op]) -> Res<(Vec<(String, bool)>, bool)> {
    let account = app.test_account().await;
    let owner = app.signed_in(&account, "owner").await;
    let ctx = Ctx {
        app,
        owner,
        account: account.account_id.clone(),
    };
    let mut w = ctx
        .world()
        .await
        .map_err(|e| format!("after creating the account: {e}"))?;
    let now = ts(&w.ov["as_of"]).ok_or("no as_of")?;
    let mut m = Model::new(now, ts(&w.ov["current_period_start"]).ok_or("no period")?);
    check(&m, &w).map_err(|e| format!("after creating the account: {e}"))?;
    let (mut trace, mut taken) = (String::new(), vec![]);
    for (i, op) in ops.iter().enumerate() {
        let fail = |e: String, trace: &str, m: &Model| {
            let (t, p) = (m.terms, (m.pend_seats, m.pend_iv));
            format!(
                "step {i} {op:?}: {e}\n\nsteps:\n{trace}\nmodel: {:?} {t:?} {} → {}, pending {p:?}, balance {}, held {}, \
                 discount {}, owed {} ±{}",
                m.st, m.start(), m.end(), m.balance, m.held, m.discount_left, m.spent, m.tol
            )
        };
        let s = ctx
            .step(&m, op, &w)
            .await
            .map_err(|e| fail(e, &trace, &m))?;
        let after = ctx.world().await.map_err(|e| fail(e, &trace, &m))?;
        let accepted = s.status.is_some_and(|st| st.is_success());
        let shown = s.status.map_or("—".into(), |st| st.as_u16().to_string());
        trace.push_str(&format!("  {i}: {op:?} → {shown} {}\n", s.detail));
        taken.push((
            format!("{op:?}")
                .split(['(', ' '])
                .next()
                .unwrap_or("")
                .to_string(),
            accepted,
        ));
        if s.status.is_some_and(|st| st.is_server_error()) {
            return Err(fail("the API failed".into(), &trace, &m));
        }
        match (s.expect, accepted) {
            (Expect::Refuse, true) => {
                return Err(fail(
                    format!(
                        "the rules forbid this while {:?}, but the API took it",
                        m.st
                    ),
                    &trace,
                    &m,
                ))
            }
            (Expect::Unknown, true) => return Ok((taken, true)),
            (Expect::Apply, true) => {
                m = s.next.expect("the model after");
                verify_after(&w, &after, &s.after).map_err(|e| fail(e, &trace, &m))?;
                if let Some(alt) = s
                    .alt
                    .filter(|alt| check(&m, &after).is_err() && check(alt, &after).is_ok())
                {
                    m = alt;
                }
            }
            _ => unchanged(&w, &after)
                .map_err(|e| fail(format!("answered {shown}, yet {e}"), &trace, &m))?,
        }
        check(&m, &after).map_err(|e| fail(e, &trace, &m))?;
        w = after;
    }
    Ok((taken, false))
}

#[test]
fn random_sequences_of_billing_operations_keep_the_money_true() {
    let env = |name: &str, default: u32| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(spawn_app());
    let (runs, left, tally) = (
        AtomicU32::new(0),
        AtomicU32::new(0),
        Mutex::new(std::collections::BTreeMap::new()),
    );
    let began = std::time::Instant::now();
    // Independent runners share the app, so both cores work: each case has
    // its own account, and the account's lock keeps its steps in order.
    let workers = env("MODEL_WORKERS", 2).max(1);
    let cases = env("MODEL_CASES", 500);
    let results: Vec<Result<(), TestError<Vec<Op>>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (app, rt, runs, left, tally) = (&app, &rt, &runs, &left, &tally);
                scope.spawn(move || {
                    let config = Config {
                        cases: cases / workers + u32::from(w < cases % workers),
                        max_shrink_iters: env("MODEL_SHRINK_ITERS", 256),
                        failure_persistence: None,
                        ..Config::default()
                    };
                    TestRunner::new(config).run(
                        &proptest::collection::vec(op_strategy(), 5..25),
                        |ops| {
                            let (taken, out) = rt
                                .handle()
                                .block_on(run_case(app, &ops))
                                .map_err(TestCaseError::fail)?;
                            runs.fetch_add(1, Ordering::Relaxed);
                            left.fetch_add(u32::from(out), Ordering::Relaxed);
                            let mut tally = tally.lock().unwrap();
                            for (op, accepted) in taken {
                                tally.entry(op).or_insert([0u32; 2])[usize::from(accepted)] += 1;
                            }
                            Ok(())
                        },
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let tally: Vec<String> = tally
        .lock()
        .unwrap()
        .iter()
        .map(|(op, [no, yes])| format!("{op} {yes}/{}", yes + no))
        .collect();
    let (runs, left, took) = (
        runs.load(Ordering::Relaxed),
        left.load(Ordering::Relaxed),
        began.elapsed(),
    );
    println!("model: {runs} cases passed ({left} left the model early) in {took:.1?} on {workers} runners; steps taken/sent: {}", tally.join(", "));
    for result in results {
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, ops)) => panic!(
                "{reason}\n\nminimal failing sequence ({} ops):\n{ops:#?}",
                ops.len()
            ),
            Err(TestError::Abort(reason)) => panic!("aborted: {reason}"),
        }
    }
}
