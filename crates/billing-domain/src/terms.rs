//! The vocabulary of a subscription's terms, shared by changes and renewals:
//! what a subscription is made of, what waits for the renewal, and why a
//! change or a period could not be priced.

use crate::catalog::{AddOnId, Interval, PlanId};
use crate::invoice::PricingError;
use crate::money::MoneyError;
use serde::{Deserialize, Serialize};

/// The most seats one subscription may hold.
pub const MAX_SEATS: u32 = 10_000;

/// What a subscription is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Terms {
    pub plan: PlanId,
    pub interval: Interval,
    pub seats: u32,
    /// Sorted, no repeats.
    pub add_ons: Vec<AddOnId>,
}

impl Terms {
    /// Terms with the add-ons put in canonical order.
    pub fn new(plan: PlanId, interval: Interval, seats: u32, mut add_ons: Vec<AddOnId>) -> Terms {
        add_ons.sort();
        add_ons.dedup();
        Terms {
            plan,
            interval,
            seats,
            add_ons,
        }
    }
}

/// Changes that wait for the renewal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pending {
    /// Seats to drop to at the renewal.
    pub seats: Option<u32>,
    /// The interval to switch to at the renewal (annual → monthly).
    pub interval: Option<Interval>,
}

impl Pending {
    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.seats.is_none() && self.interval.is_none()
    }
}

/// Why a change was refused; each names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("Nothing would change.")]
    NothingToChange,
    #[error("Seats must be between 1 and {MAX_SEATS}.")]
    SeatsOutOfRange,
    #[error("{active} people use the account, so it needs at least {active} seats.")]
    SeatsBelowActiveUsers { active: u32 },
    #[error("{0} is not sold with {1} billing.")]
    NotSold(String, &'static str),
    #[error("Contract plans are changed through your Customer Success Manager.")]
    ContractPlan,
    #[error(
        "{0} is a contract plan: it is bought through your Customer Success Manager, not here."
    )]
    ContractPurchase(String),
    #[error("{0} is not available.")]
    UnknownAddOn(&'static str),
    #[error("The proration date must be within the current period and not in the future.")]
    ProrationDate,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl ChangeError {
    /// The request field at fault.
    pub fn param(&self) -> Option<&'static str> {
        match self {
            ChangeError::SeatsOutOfRange | ChangeError::SeatsBelowActiveUsers { .. } => {
                Some("seats")
            }
            ChangeError::NotSold(..) => Some("interval"),
            ChangeError::ContractPlan | ChangeError::ContractPurchase(_) => Some("plan"),
            ChangeError::UnknownAddOn(_) => Some("add_ons"),
            ChangeError::ProrationDate => Some("proration_date"),
            ChangeError::NothingToChange | ChangeError::Money(_) => None,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ChangeError::NothingToChange => "nothing_to_change",
            ChangeError::SeatsOutOfRange => "out_of_range",
            ChangeError::SeatsBelowActiveUsers { .. } => "seats_below_active_users",
            ChangeError::NotSold(..) => "not_sold",
            ChangeError::ContractPlan => "contract_plan",
            ChangeError::ContractPurchase(_) => "not_self_serve",
            ChangeError::UnknownAddOn(_) => "unknown_add_on",
            ChangeError::ProrationDate => "invalid_proration_date",
            ChangeError::Money(_) => "amount_overflow",
        }
    }
}

impl From<PricingError> for ChangeError {
    fn from(e: PricingError) -> Self {
        match e {
            PricingError::NotSold(plan, interval) => {
                ChangeError::NotSold(plan.to_string(), interval.as_str())
            }
            PricingError::UnknownAddOn(a) => ChangeError::UnknownAddOn(a.label()),
            PricingError::Money(m) => ChangeError::Money(m),
        }
    }
}
