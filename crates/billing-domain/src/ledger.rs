//! The ledger (SPEC §11): every movement of money is an entry, and the
//! credit balance is the sum of its entries, never a number code adds to.
//!
//! Amounts are positive; the kind says which way the money went. Card
//! entries record what the card paid or got back; they do not touch the
//! credit balance. A requested withdrawal is held out of the balance until
//! the billing team pays or declines it.

use crate::money::{Currency, Money, MoneyError};
use serde::{Deserialize, Serialize};

/// What kind of movement an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// The card paid an invoice.
    CardCharge,
    /// Money went back to the card of an earlier charge.
    CardRefund,
    /// Credit added to the balance (unused time, a refund, a voided invoice).
    CreditGranted,
    /// Credit taken off an invoice.
    CreditApplied,
    /// A withdrawal of the balance was asked for: held until decided.
    WithdrawalRequested,
    /// The billing team paid a withdrawal out.
    WithdrawalPaid,
    /// The billing team declined a withdrawal: the amount is available again.
    WithdrawalDeclined,
}

impl LedgerKind {
    /// Every kind.
    pub const ALL: [LedgerKind; 7] = [
        LedgerKind::CardCharge,
        LedgerKind::CardRefund,
        LedgerKind::CreditGranted,
        LedgerKind::CreditApplied,
        LedgerKind::WithdrawalRequested,
        LedgerKind::WithdrawalPaid,
        LedgerKind::WithdrawalDeclined,
    ];

    /// The wire and storage name.
    pub fn as_str(&self) -> &'static str {
        match self {
            LedgerKind::CardCharge => "card_charge",
            LedgerKind::CardRefund => "card_refund",
            LedgerKind::CreditGranted => "credit_granted",
            LedgerKind::CreditApplied => "credit_applied",
            LedgerKind::WithdrawalRequested => "withdrawal_requested",
            LedgerKind::WithdrawalPaid => "withdrawal_paid",
            LedgerKind::WithdrawalDeclined => "withdrawal_declined",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<LedgerKind> {
        LedgerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// For people.
    pub fn label(&self) -> &'static str {
        match self {
            LedgerKind::CardCharge => "Card charged",
            LedgerKind::CardRefund => "Refunded to card",
            LedgerKind::CreditGranted => "Credit added",
            LedgerKind::CreditApplied => "Credit used",
            LedgerKind::WithdrawalRequested => "Withdrawal requested",
            LedgerKind::WithdrawalPaid => "Withdrawal paid",
            LedgerKind::WithdrawalDeclined => "Withdrawal declined",
        }
    }

    /// How this kind moves (available balance, held amount), per unit.
    fn effect(&self) -> (i64, i64) {
        match self {
            LedgerKind::CardCharge | LedgerKind::CardRefund => (0, 0),
            LedgerKind::CreditGranted => (1, 0),
            LedgerKind::CreditApplied => (-1, 0),
            LedgerKind::WithdrawalRequested => (-1, 1),
            LedgerKind::WithdrawalPaid => (0, -1),
            LedgerKind::WithdrawalDeclined => (1, -1),
        }
    }
}

/// The balances the ledger adds up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balances {
    /// Credit that pays the next invoices.
    pub available: Money,
    /// Credit held for withdrawals not yet decided.
    pub held: Money,
}

/// Why a ledger does not add up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a ledger amount must be positive")]
    NotPositive,
    #[error("the credit balance would be negative")]
    NegativeBalance,
    #[error("more withdrawn than was held")]
    NegativeHeld,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Sums entries into balances, refusing a ledger that ever goes negative
/// or holds a non-positive amount.
pub fn balances<'a>(
    currency: Currency,
    entries: impl IntoIterator<Item = (LedgerKind, &'a Money)>,
) -> Result<Balances, LedgerError> {
    let (mut available, mut held) = (0i64, 0i64);
    for (kind, amount) in entries {
        if amount.amount() <= 0 {
            return Err(LedgerError::NotPositive);
        }
        if amount.currency() != currency {
            return Err(MoneyError::CurrencyMismatch(currency, amount.currency()).into());
        }
        let (a, h) = kind.effect();
        available = available
            .checked_add(a * amount.amount())
            .ok_or(MoneyError::Overflow)?;
        held = held
            .checked_add(h * amount.amount())
            .ok_or(MoneyError::Overflow)?;
    }
    if available < 0 {
        return Err(LedgerError::NegativeBalance);
    }
    if held < 0 {
        return Err(LedgerError::NegativeHeld);
    }
    Ok(Balances {
        available: Money::new(available, currency),
        held: Money::new(held, currency),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(m: i64) -> Money {
        Money::new(m, Currency::USD)
    }

    #[test]
    fn the_balance_is_the_sum_of_its_entries() {
        use LedgerKind::*;
        let entries = [
            (CardCharge, usd(166_800)),
            (CreditGranted, usd(30_967)),
            (CreditApplied, usd(10_000)),
            (WithdrawalRequested, usd(5_000)),
            (WithdrawalDeclined, usd(2_000)),
            (WithdrawalPaid, usd(3_000)),
            (CardRefund, usd(1_000)),
        ];
        let b = balances(Currency::USD, entries.iter().map(|(k, m)| (*k, m))).unwrap();
        assert_eq!(b.available, usd(30_967 - 10_000 - 5_000 + 2_000));
        assert_eq!(b.held, usd(0));
    }

    #[test]
    fn a_held_withdrawal_is_not_available() {
        use LedgerKind::*;
        let entries = [(CreditGranted, usd(500)), (WithdrawalRequested, usd(500))];
        let b = balances(Currency::USD, entries.iter().map(|(k, m)| (*k, m))).unwrap();
        assert_eq!((b.available, b.held), (usd(0), usd(500)));
    }

    #[test]
    fn a_ledger_that_goes_negative_is_refused() {
        use LedgerKind::*;
        let over = [(CreditGranted, usd(500)), (CreditApplied, usd(501))];
        assert_eq!(
            balances(Currency::USD, over.iter().map(|(k, m)| (*k, m))),
            Err(LedgerError::NegativeBalance)
        );
        let zero = [(CreditGranted, usd(0))];
        assert_eq!(
            balances(Currency::USD, zero.iter().map(|(k, m)| (*k, m))),
            Err(LedgerError::NotPositive)
        );
        for kind in LedgerKind::ALL {
            assert_eq!(LedgerKind::parse(kind.as_str()), Some(kind));
        }
    }

    proptest! {
        #[test]
        fn balances_never_go_negative_and_add_up(ops in proptest::collection::vec((0usize..7, 1i64..100_000), 0..40)) {
            // Apply only the entries a careful writer would: never overdraw.
            let mut accepted: Vec<(LedgerKind, Money)> = Vec::new();
            for (k, amount) in ops {
                let kind = LedgerKind::ALL[k];
                let mut trial = accepted.clone();
                trial.push((kind, usd(amount)));
                if balances(Currency::USD, trial.iter().map(|(k, m)| (*k, m))).is_ok() {
                    accepted = trial;
                }
            }
            let b = balances(Currency::USD, accepted.iter().map(|(k, m)| (*k, m))).unwrap();
            let sum = |kind: LedgerKind| accepted.iter().filter(|(k, _)| *k == kind).map(|(_, m)| m.amount()).sum::<i64>();
            use LedgerKind::*;
            prop_assert_eq!(b.available.amount(), sum(CreditGranted) - sum(CreditApplied) - sum(WithdrawalRequested) + sum(WithdrawalDeclined));
            prop_assert_eq!(b.held.amount(), sum(WithdrawalRequested) - sum(WithdrawalPaid) - sum(WithdrawalDeclined));
            prop_assert!(b.available.amount() >= 0 && b.held.amount() >= 0);
        }
    }
}
