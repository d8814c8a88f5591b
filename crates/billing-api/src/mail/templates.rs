//! The words of each e-mail (SPEC §7). Plain text, amounts formatted once.

use super::Draft;
use crate::store::{AccountRecord, InvoiceRecord, UserRecord, INVOICE_NUMBER_PENDING};
use billing_domain::refund::RefundQuote;
use billing_domain::Money;
use chrono::{DateTime, Utc};

/// "Dec 22, 2026".
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%b %-d, %Y").to_string()
}

/// The invoice's number for people.
/// An invoice written in the same batch as its e-mail has no number yet
/// (the store gives it on insert): the e-mail then carries
/// [`INVOICE_NUMBER_PENDING`], which the store replaces with the number in
/// the transaction that queues the e-mail.
pub fn invoice_number(inv: &InvoiceRecord) -> String {
    if inv.number.ends_with(|c: char| c.is_ascii_digit()) {
        inv.number.clone()
    } else {
        INVOICE_NUMBER_PENDING.into()
    }
}

fn invoice_text(inv: &InvoiceRecord) -> String {
    let mut out = String::new();
    for line in &inv.lines {
        out.push_str(&format!(
            "  {:<58} {:>14}\n",
            line.description,
            line.amount.format()
        ));
    }
    out.push_str(&format!(
        "  {:<58} {:>14}\n",
        "Total",
        Money::new(inv.total, inv.currency).format()
    ));
    out
}

/// The kind of the Paid e-mail (which carries the invoice PDF).
pub const INVOICE_PAID_KIND: &str = "invoice_paid";

/// Invoice paid, with the invoice.
pub fn invoice_paid(account: &AccountRecord, inv: &InvoiceRecord, paid_at: DateTime<Utc>) -> Draft {
    let total = Money::new(inv.total, inv.currency).format();
    Draft {
        kind: INVOICE_PAID_KIND,
        subject: format!("Receipt for {} — {total} paid", invoice_number(inv)),
        body: format!(
            "Thank you. We received {total} for {} on {}.\n\nInvoice {} (Paid)\n{}\nYou can download this invoice from Invoices in the billing portal.\n",
            account.name,
            date(paid_at),
            invoice_number(inv),
            invoice_text(inv),
        ),
        invoice_id: Some(inv.id.clone()),
    }
}

/// A renewal charge was declined; grace is running.
pub fn card_declined(
    account: &AccountRecord,
    inv: &InvoiceRecord,
    reason: &str,
    grace_until: DateTime<Utc>,
) -> Draft {
    let total = Money::new(inv.total, inv.currency).format();
    Draft {
        kind: "card_declined",
        subject: format!("Action needed: your payment of {total} was declined"),
        body: format!(
            "We couldn't charge your card for {} ({}): {reason}\n\nPlease update your payment method by {} to keep {} active. Updating it retries the payment at once.\n\nAfter that date, everything except billing is locked until the invoice is paid.\n",
            invoice_number(inv),
            total,
            date(grace_until),
            account.name,
        ),
        invoice_id: Some(inv.id.clone()),
    }
}

/// One day of grace is left.
pub fn grace_ending(account: &AccountRecord, due: Money, grace_until: DateTime<Utc>) -> Draft {
    Draft {
        kind: "grace_ending",
        subject: "Your account will be deactivated tomorrow".into(),
        body: format!(
            "{} still owes {}. Update your payment method before {} to avoid deactivation; updating it retries the payment at once.\n",
            account.name,
            due.format(),
            date(grace_until),
        ),
        invoice_id: None,
    }
}

/// Grace ran out.
pub fn deactivated(account: &AccountRecord, due: Money) -> Draft {
    Draft {
        kind: "deactivated",
        subject: "Your account has been deactivated".into(),
        body: format!(
            "We couldn't collect {} for {}, so the account is deactivated: everything except billing is locked.\n\nEnter a working card in the billing portal to pay and reactivate it at once.\n",
            due.format(),
            account.name,
        ),
        invoice_id: None,
    }
}

/// The period ends soon and there is no card on file.
pub fn freeze_reminder(
    account: &AccountRecord,
    days: i64,
    period_end: DateTime<Utc>,
    next: Money,
) -> Draft {
    let when = if days == 1 {
        "tomorrow".to_string()
    } else {
        format!("in {days} days")
    };
    Draft {
        kind: "freeze_reminder",
        subject: format!("Add a payment method: your billing period ends {when}"),
        body: format!(
            "{} has no payment method on file. The billing period ends on {} and renews for {}.\n\nAdd a card before then, or the account will be frozen: only the billing section stays available until a card is added.\n",
            account.name,
            date(period_end),
            next.format(),
        ),
        invoice_id: None,
    }
}

/// The account was frozen at period end for want of a card.
pub fn frozen(account: &AccountRecord, inv: &InvoiceRecord) -> Draft {
    Draft {
        kind: "frozen",
        subject: "Your account is frozen until a card is added".into(),
        body: format!(
            "{}'s billing period ended with no payment method on file, so the account is frozen. Add a card in the billing portal to pay {} ({}) and unfreeze it at once.\n",
            account.name,
            Money::new(inv.total, inv.currency).format(),
            invoice_number(inv),
        ),
        invoice_id: Some(inv.id.clone()),
    }
}

/// Payment recovered: the account is active again.
pub fn reactivated(account: &AccountRecord) -> Draft {
    Draft {
        kind: "reactivated",
        subject: "Your account is active again".into(),
        body: format!(
            "Thank you: the payment went through and {} is fully active again.\n",
            account.name
        ),
        invoice_id: None,
    }
}

/// A paused subscription is resumed.
pub fn resumed(account: &AccountRecord, plan_name: &str) -> Draft {
    Draft {
        kind: "resumed",
        subject: "Your subscription is active again".into(),
        body: format!("{} is resumed on the {plan_name} plan.\n", account.name),
        invoice_id: None,
    }
}

/// A member asks the owner for billing access.
pub fn access_requested(
    account: &AccountRecord,
    member_name: &str,
    member_email: &str,
    note: &str,
) -> Draft {
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        format!("\nTheir note:\n  {}\n", note.trim())
    };
    Draft {
        kind: "billing_access_request",
        subject: format!("{member_name} asks for billing access to {}", account.name),
        body: format!(
            "{member_name} ({member_email}) would like access to billing for {}.\n{note}\nGrant or decline it on the Billing access page of the billing portal.\n",
            account.name
        ),
        invoice_id: None,
    }
}

/// The owner decided a member's request.
pub fn access_decided(account: &AccountRecord, granted: Option<&str>) -> Draft {
    match granted {
        Some(level) => Draft {
            kind: "billing_access_granted",
            subject: format!("You now have billing access to {}", account.name),
            body: format!(
                "Your request was granted: you now have {level} access to billing for {}. Sign in to the billing portal to see it.\n",
                account.name
            ),
            invoice_id: None,
        },
        None => Draft {
            kind: "billing_access_declined",
            subject: format!("Your billing access request for {}", account.name),
            body: format!(
                "The owner of {} declined your request for billing access. Ask them directly if you need it.\n",
                account.name
            ),
            invoice_id: None,
        },
    }
}

/// A cancellation was scheduled for the period end.
pub fn cancellation_scheduled(account: &AccountRecord, at: DateTime<Utc>) -> Draft {
    Draft {
        kind: "cancellation_scheduled",
        subject: format!("Your subscription is scheduled to cancel on {}", date(at)),
        body: format!(
            "{}'s subscription will end on {}. Until then everything keeps working and nothing more is charged.\n\nChanged your mind? Press Resume subscription on Plans & Billing any time before then.\n",
            account.name,
            date(at)
        ),
        invoice_id: None,
    }
}

/// A scheduled cancellation was withdrawn.
pub fn cancellation_withdrawn(account: &AccountRecord) -> Draft {
    Draft {
        kind: "resumed",
        subject: "Your subscription will continue".into(),
        body: format!(
            "The scheduled cancellation of {} was withdrawn; the subscription renews as usual.\n",
            account.name
        ),
        invoice_id: None,
    }
}

/// The subscription was paused; pause months cost `price` from `from`.
pub fn paused(account: &AccountRecord, from: DateTime<Utc>, price: Money) -> Draft {
    Draft {
        kind: "paused",
        subject: "Your subscription is paused".into(),
        body: format!(
            "{} is paused. Your data, credits and history are kept. From {} you pay {} a month; resume any time on Plans & Billing.\n",
            account.name,
            date(from),
            price.format()
        ),
        invoice_id: None,
    }
}

/// To Customer Success: a user asks for a meeting.
pub fn meeting_request(account: &AccountRecord, user: &UserRecord, note: &str) -> Draft {
    Draft {
        kind: "meeting_request",
        subject: format!("Meeting request from {} ({})", account.name, user.name),
        body: format!(
            "{} ({}) of {} would like to talk about their subscription.\n\nNote: {}\n",
            user.name,
            user.email,
            account.name,
            if note.is_empty() { "(none)" } else { note }
        ),
        invoice_id: None,
    }
}

/// To the billing team: a user asks to withdraw the credit balance.
pub fn withdrawal_requested(
    account: &AccountRecord,
    user: &UserRecord,
    amount: Money,
    note: &str,
) -> Draft {
    Draft {
        kind: "balance_withdrawal",
        subject: format!(
            "Balance withdrawal request: {} for {}",
            amount.format(),
            account.name
        ),
        body: format!(
            "{} ({}) asks to withdraw the credit balance of {} for {} ({}).\n\nNote: {}\n",
            user.name,
            user.email,
            amount.format(),
            account.name,
            account.id,
            if note.is_empty() { "(none)" } else { note }
        ),
        invoice_id: None,
    }
}

/// The subscription ended, with what was refunded and until when it can be
/// reactivated.
pub fn cancellation_effective(
    account: &AccountRecord,
    at: DateTime<Utc>,
    deleted: DateTime<Utc>,
    refund: Option<&RefundQuote>,
) -> Draft {
    let refund_text = match refund {
        Some(q) => {
            let mut text = String::new();
            if !q.to_card.is_zero() {
                text.push_str(&format!(
                    "\n{} was refunded to your card.\n",
                    q.to_card.format()
                ));
            }
            if !q.to_balance.is_zero() {
                text.push_str(&format!(
                    "\n{} was credited to your balance.\n",
                    q.to_balance.format()
                ));
            }
            text
        }
        None => String::new(),
    };
    Draft {
        kind: "cancellation_effective",
        subject: format!("{}'s subscription has ended", account.name),
        body: format!(
            "The subscription of {} ended on {}. The owner can still sign in to billing and reactivate it with a card until {}; after that the data is deleted and can't be recovered.\n{refund_text}",
            account.name,
            date(at),
            date(deleted),
        ),
        invoice_id: None,
    }
}

/// The kind of the e-mail carrying a password reset link.
pub const PASSWORD_RESET_KIND: &str = "password_reset";

/// A link to choose a new password, valid for `valid_minutes`.
pub fn password_reset(user: &UserRecord, link: &str, valid_minutes: i64) -> Draft {
    Draft {
        kind: PASSWORD_RESET_KIND,
        subject: "Reset your billing portal password".into(),
        body: format!(
            "Hi {},\n\nSomeone (we hope you) asked to reset the password for {} in the billing portal. To choose a new one, open this link within {valid_minutes} minutes:\n\n{link}\n\nThe link works once. Setting a new password signs you out everywhere.\n\nIf you didn't ask for this, you can ignore this e-mail: your password stays as it is.\n",
            user.name, user.email,
        ),
        invoice_id: None,
    }
}

/// How a password came to change, for the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// Changed while signed in; the other sessions ended.
    Changed,
    /// Reset from an e-mailed link; every session ended.
    Reset,
}

/// The notice that a password changed, with the way back if it was not them.
pub fn password_changed(
    user: &UserRecord,
    how: PasswordChange,
    at: DateTime<Utc>,
    forgot_link: &str,
) -> Draft {
    let what = match how {
        PasswordChange::Changed => "was changed. Every other session was signed out.",
        PasswordChange::Reset => "was reset from an e-mailed link. Every session was signed out.",
    };
    Draft {
        kind: "password_changed",
        subject: "Your billing portal password was changed".into(),
        body: format!(
            "Hi {},\n\nThe password for {} {what} ({}, {} UTC)\n\nIf this was you, there is nothing more to do.\n\nIf it wasn't, reset your password now at {forgot_link} and tell your account owner.\n",
            user.name,
            user.email,
            date(at),
            at.format("%H:%M"),
        ),
        invoice_id: None,
    }
}
