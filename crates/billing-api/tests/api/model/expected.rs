//! The independent model of money: what the rules say the account is, has
//! and has paid, step by step, with its own prices, periods, proration and
//! rounding.

use super::ops::{change_of, Op};
use super::prices::{months, ratio, AddOns, Iv, Plan, Terms, ADD_ONS, PAUSE, SEAT};
use super::Ts;
use chrono::Duration;

/// States the model reaches (a card is always on file, so never `frozen`;
/// advances stop short of deletion, so never `deleted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum St {
    #[default]
    Active,
    PastDue,
    Deactivated,
    /// A period ended with no card on file (and not paid by credit).
    Frozen,
    Paused,
    CancelScheduled,
    Canceled,
}

/// A renewal the card declined: (subtotal, credit held for it, a pause
/// month, discount months it consumed, its discount fraction).
type Open = (i64, i64, bool, u32, (i64, i64));

/// What the rules say the account is, has and has paid.
#[derive(Debug, Clone, Default)]
pub(super) struct Model {
    pub(super) now: Ts,
    pub(super) st: St,
    pub(super) terms: Terms,
    pub(super) pend_seats: Option<u32>,
    pub(super) pend_iv: Option<Iv>,
    /// The current period is months `mi .. mi + len` from `anchor`.
    anchor: Ts,
    mi: u32,
    len: u32,
    pub(super) pause_month: bool,
    /// Cancellation was scheduled while paused.
    pub(super) was_paused: bool,
    grace_until: Option<Ts>,
    pub(super) canceled_at: Option<Ts>,
    open: Option<Open>,
    pub(super) card_declines: bool,
    /// No card is on file (the account was made without one).
    pub(super) no_card: bool,
    pub(super) balance: i64,
    pub(super) held: i64,
    /// Requests waiting: (id if known, the model's amount, the API's).
    pub(super) withdrawals: Vec<(Option<String>, i64, i64)>,
    pub(super) discount_left: u32,
    pub(super) discount_at: Option<Ts>,
    /// The fraction off the current period was billed with.
    frac: (i64, i64),
    /// Paid for the current period (the refund basis): by card, by credit,
    /// and credit granted back.
    paid: (i64, i64, i64),
    pub(super) purchased: Option<Ts>,
    /// When usage was last recorded (it counts for the period it falls in).
    pub(super) last_use: Option<Ts>,
    /// The terms in force over the current period, each from a moment on.
    segments: Vec<(Ts, Terms)>,
    /// What the customer should have paid in all, and the rounding allowed.
    pub(super) spent: i64,
    pub(super) tol: i64,
    /// Periods (start, end) ended early, and when: invariant 5 ignores the rest.
    pub(super) cuts: Vec<(Ts, Ts, Ts)>,
}

impl Model {
    /// The test account: Business, monthly, 12 seats, the first month
    /// paid, a card on file if `card`.
    pub(super) fn new(now: Ts, start: Ts, card: bool) -> Model {
        let mut m = Model {
            now,
            anchor: start,
            len: 1,
            no_card: !card,
            ..Model::default()
        };
        m.terms.seats = 12;
        (m.paid.0, m.spent, m.purchased) = (m.terms.price(), m.terms.price(), Some(start));
        m.segments = vec![(start, m.terms)];
        m
    }

    /// When the current period began.
    pub(super) fn start(&self) -> Ts {
        months(self.anchor, self.mi)
    }

    /// When the current period ends.
    pub(super) fn end(&self) -> Ts {
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

    /// Whether a charge to the card would fail: it declines, or there is none.
    pub(super) fn cannot_pay(&self) -> bool {
        self.card_declines || self.no_card
    }

    /// Bills a new period: paid, or left open if the card declines (past
    /// due) or there is no card (frozen).
    fn bill(&mut self, (sub, lines, used): (i64, i64, u32), pause: bool) {
        self.tol += lines;
        let applied = self.balance.clamp(0, sub);
        if sub > applied && self.cannot_pay() {
            self.balance -= applied;
            self.open = Some((sub, applied, pause, used, self.frac));
            (self.st, self.grace_until) = if self.no_card {
                // No card at the period end: locked at once, no grace.
                (St::Frozen, None)
            } else {
                (St::PastDue, Some(self.now + Duration::days(3)))
            };
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
    pub(super) fn advance(&mut self, to: Ts) {
        loop {
            let due = match self.st {
                St::Active | St::Paused | St::CancelScheduled => Some(self.end()),
                St::PastDue => self.grace_until,
                St::Deactivated | St::Frozen | St::Canceled => None,
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
    pub(super) fn change(&self, op: &Op, keep: bool) -> Option<(Model, i64)> {
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
    pub(super) fn resume(&self) -> Option<(Model, i64)> {
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

    /// Active in a new period starting now, with the pending changes, billed
    /// if the card (`good`) or the credit pays it (`keep`: with the discount
    /// in force); false, and the model not to be kept, if neither does.
    fn new_period_paid(&mut self, good: bool, keep: bool) -> bool {
        self.st = St::Active;
        self.apply_pending();
        self.restart();
        let charge = self.period_charge(keep);
        let paid = good || charge.0 <= self.balance;
        if paid {
            self.bill(charge, false);
        }
        paid
    }

    /// A card saved (`good` or declining) and what it pays for. Two rules
    /// are open and `alt` takes the other reading: a voided pause month
    /// restarts the pause (else the plan); a reactivation takes the
    /// discount in force (else not).
    pub(super) fn card_saved(&self, good: bool, alt: bool) -> Model {
        let mut m = self.clone();
        (m.card_declines, m.no_card) = (!good, false);
        match (self.st, good) {
            (St::PastDue, true) => {
                // Paid within grace: the period is kept.
                let (sub, held, pause, _, frac) = m.open.take().expect("an open invoice");
                (m.frac, m.spent, m.purchased) = (frac, m.spent + sub, Some(m.now));
                (m.paid.0, m.paid.1) = (m.paid.0 + sub - held, m.paid.1 + held);
                (m.st, m.grace_until) = ([St::Active, St::Paused][usize::from(pause)], None);
            }
            (St::Deactivated | St::Frozen, _) => {
                // The locked period's invoice is voided; a new period starts
                // now, if the card or the credit pays it (a declining card
                // is not charged when the credit covers the whole period).
                let mut r = m.clone();
                let (_, held, pause, used, _) = r.open.take().expect("an open invoice");
                (r.balance, r.discount_left) = (r.balance + held, r.discount_left + used);
                if pause && !alt {
                    if good || PAUSE <= r.balance {
                        r.st = St::Paused;
                        r.bill_pause_month(false);
                        return r;
                    }
                } else if r.new_period_paid(good, false) {
                    return r;
                }
            }
            (St::Canceled, _) => {
                // Reactivation: a new period now, if the card or the credit pays it.
                let mut r = m.clone();
                r.canceled_at = None;
                if r.new_period_paid(good, alt) {
                    return r;
                }
            }
            _ => {}
        }
        m
    }

    /// Ending now with a refund: the model after, whether full, the amount.
    pub(super) fn refund(&self) -> (Model, bool, i64) {
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
