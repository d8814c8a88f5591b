//! The invariants: what an operation asked to be checked, that a refused or
//! idle step changed nothing, and invariants 0 and 3–7 after every step.

use super::expected::{Model, St};
use super::steps::After;
use super::world::{arr, money, ts, World};
use super::{same, Res, Ts};
use serde_json::{json, Value};

/// The checks an operation asked for, on the worlds before and after it.
pub(super) fn verify_after(b: &World, a: &World, checks: &[After]) -> Res {
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
            After::Renewal(date, amount, card) => {
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
                // With no card on file nothing is tried: the invoice is left
                // open and the account frozen.
                let tries = match (amount, card) {
                    (0, _) | (_, false) => 0,
                    _ => tried.len().max(1),
                };
                let want = vec![amount; tries];
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
pub(super) fn unchanged(b: &World, a: &World) -> Res {
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

/// Invariants 0 and 3–7 of the world `w` against the model `m`.
pub(super) fn check(m: &Model, w: &World) -> Res {
    let (ov, t) = (&w.ov, m.terms);
    // 0. The overview shows the model's state.
    let dated = !matches!(m.st, St::Deactivated | St::Frozen | St::Canceled);
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

    // 7. Every e-mail about an invoice names it by its number.
    for e in &w.emails {
        let text = format!("{} {}", e["subject"], e["body"]);
        ensure!(
            !text.contains(billing_api::store::INVOICE_NUMBER_PENDING),
            "invariant 7: e-mail {} kept the number's placeholder: {text}",
            e["id"]
        );
        let Some(inv) = w.invoices.iter().find(|i| i["id"] == e["invoice_id"]) else {
            continue;
        };
        let number = inv["number"].as_str().unwrap_or("(no number)");
        ensure!(
            text.contains(number),
            "invariant 7: the {} e-mail about {number} does not name it: {text}",
            e["kind"]
        );
    }
    Ok(())
}
