//! The product catalog: plans, billing intervals, per-seat prices, add-ons and
//! the pause plan. Loaded from `config/catalog.toml` by the API and validated
//! here, so a catalog that would price something wrongly never loads.

use crate::money::{Currency, Money, MoneyError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A plan's identifier on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanId {
    Essentials,
    Business,
    Premium,
}

impl PlanId {
    /// Every plan, cheapest first.
    pub const ALL: [PlanId; 3] = [PlanId::Essentials, PlanId::Business, PlanId::Premium];

    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            PlanId::Essentials => "essentials",
            PlanId::Business => "business",
            PlanId::Premium => "premium",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<PlanId> {
        PlanId::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for PlanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often a subscription is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Month,
    Year,
}

impl Interval {
    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<Interval> {
        match s {
            "month" => Some(Interval::Month),
            "year" => Some(Interval::Year),
            _ => None,
        }
    }

    /// Calendar months in one period.
    pub fn months(&self) -> u32 {
        match self {
            Interval::Month => 1,
            Interval::Year => 12,
        }
    }

    /// "Monthly" / "Annual".
    pub fn label(&self) -> &'static str {
        match self {
            Interval::Month => "Monthly",
            Interval::Year => "Annual",
        }
    }
}

/// An add-on's identifier on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddOnId {
    SupportBot,
    Operation,
    Marketing,
}

impl AddOnId {
    /// Every add-on.
    pub const ALL: [AddOnId; 3] = [AddOnId::SupportBot, AddOnId::Operation, AddOnId::Marketing];

    /// The wire identifier.
    pub fn as_str(&self) -> &'static str {
        match self {
            AddOnId::SupportBot => "support_bot",
            AddOnId::Operation => "operation",
            AddOnId::Marketing => "marketing",
        }
    }

    /// Parses a wire identifier.
    pub fn parse(s: &str) -> Option<AddOnId> {
        AddOnId::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The add-on's name in the demo catalog, for views that have only the id.
    pub fn label(&self) -> &'static str {
        match self {
            AddOnId::SupportBot => "Support Bot",
            AddOnId::Operation => "Operation",
            AddOnId::Marketing => "Marketing",
        }
    }
}

/// The catalog file as written (`config/catalog.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub currency: String,
    pub plans: Vec<PlanFile>,
    pub add_ons: Vec<AddOnFile>,
    pub pause: PauseFile,
}

/// One plan as written in the catalog file. Prices are minor units per seat
/// per month; the annual price is billed yearly (twelve times it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub id: PlanId,
    pub name: String,
    pub monthly_seat_price: Option<i64>,
    pub annual_seat_price: Option<i64>,
    /// Contract plans are cancelled through Customer Success, not self-serve.
    #[serde(default)]
    pub contract: bool,
}

/// One add-on as written: a flat monthly price.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddOnFile {
    pub id: AddOnId,
    pub name: String,
    pub description: String,
    pub monthly_price: i64,
}

/// The pause plan as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseFile {
    pub monthly_price: i64,
}

/// Why a catalog file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("currency: {0}")]
    Currency(#[from] MoneyError),
    #[error("plan `{0}` is listed twice")]
    DuplicatePlan(PlanId),
    #[error("plan `{0}` is missing")]
    MissingPlan(PlanId),
    #[error("plan `{0}` has no price for any interval")]
    Unpriced(PlanId),
    #[error("{0}: prices must be positive")]
    NonPositivePrice(String),
    #[error("add-on `{0}` is listed twice")]
    DuplicateAddOn(&'static str),
}

/// A priced plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    monthly_seat_price: Option<Money>,
    annual_seat_price: Option<Money>,
    pub contract: bool,
}

impl Plan {
    /// The per-seat price per month when billed at `interval`, if offered.
    pub fn seat_price_per_month(&self, interval: Interval) -> Option<Money> {
        match interval {
            Interval::Month => self.monthly_seat_price,
            Interval::Year => self.annual_seat_price,
        }
    }

    /// The per-seat price of one whole period at `interval`, if offered.
    pub fn seat_price_per_period(&self, interval: Interval) -> Option<Money> {
        self.seat_price_per_month(interval)
            .and_then(|m| m.checked_mul(i64::from(interval.months())).ok())
    }
}

/// A priced add-on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddOn {
    pub id: AddOnId,
    pub name: String,
    pub description: String,
    pub monthly_price: Money,
}

/// The validated catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    currency: Currency,
    plans: Vec<Plan>,
    add_ons: Vec<AddOn>,
    pause_monthly_price: Money,
}

impl Catalog {
    /// Validates a parsed catalog file.
    pub fn from_file(file: CatalogFile) -> Result<Catalog, CatalogError> {
        let currency = Currency::parse(&file.currency)?;
        let price = |label: String, minor: i64| {
            if minor > 0 {
                Ok(Money::new(minor, currency))
            } else {
                Err(CatalogError::NonPositivePrice(label))
            }
        };
        let mut plans: Vec<Plan> = Vec::new();
        for p in file.plans {
            if plans.iter().any(|q| q.id == p.id) {
                return Err(CatalogError::DuplicatePlan(p.id));
            }
            if p.monthly_seat_price.is_none() && p.annual_seat_price.is_none() {
                return Err(CatalogError::Unpriced(p.id));
            }
            let monthly = p
                .monthly_seat_price
                .map(|m| price(format!("plan {} monthly", p.id), m))
                .transpose()?;
            let annual = p
                .annual_seat_price
                .map(|m| price(format!("plan {} annual", p.id), m))
                .transpose()?;
            plans.push(Plan {
                id: p.id,
                name: p.name,
                monthly_seat_price: monthly,
                annual_seat_price: annual,
                contract: p.contract,
            });
        }
        for id in PlanId::ALL {
            if !plans.iter().any(|p| p.id == id) {
                return Err(CatalogError::MissingPlan(id));
            }
        }
        plans.sort_by_key(|p| p.id);
        let mut add_ons: Vec<AddOn> = Vec::new();
        for a in file.add_ons {
            if add_ons.iter().any(|b| b.id == a.id) {
                return Err(CatalogError::DuplicateAddOn(a.id.as_str()));
            }
            add_ons.push(AddOn {
                id: a.id,
                monthly_price: price(format!("add-on {}", a.id.as_str()), a.monthly_price)?,
                name: a.name,
                description: a.description,
            });
        }
        let pause_monthly_price = price("pause".into(), file.pause.monthly_price)?;
        Ok(Catalog {
            currency,
            plans,
            add_ons,
            pause_monthly_price,
        })
    }

    /// The catalog's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Every plan, cheapest first.
    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// The plan with this id (every id is present once validated).
    pub fn plan(&self, id: PlanId) -> &Plan {
        self.plans
            .iter()
            .find(|p| p.id == id)
            .expect("a validated catalog has every plan")
    }

    /// Every add-on.
    pub fn add_ons(&self) -> &[AddOn] {
        &self.add_ons
    }

    /// The add-on with this id, if the catalog sells it.
    pub fn add_on(&self, id: AddOnId) -> Option<&AddOn> {
        self.add_ons.iter().find(|a| a.id == id)
    }

    /// The pause plan's monthly price.
    pub fn pause_monthly_price(&self) -> Money {
        self.pause_monthly_price
    }

    /// The full price of one period: seats at the plan's rate plus each add-on
    /// for every month of the period. `None` when the plan is not sold at
    /// that interval or an add-on is not in the catalog.
    pub fn period_price(
        &self,
        plan: PlanId,
        interval: Interval,
        seats: u32,
        add_ons: &[AddOnId],
    ) -> Option<Money> {
        let seats_total = self
            .plan(plan)
            .seat_price_per_period(interval)?
            .checked_mul(i64::from(seats))
            .ok()?;
        let months = i64::from(interval.months());
        add_ons.iter().try_fold(seats_total, |total, id| {
            let monthly = self.add_on(*id)?.monthly_price;
            total.checked_add(monthly.checked_mul(months).ok()?).ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Catalog {
        let text = include_str!("../../../config/catalog.toml");
        Catalog::from_file(toml::from_str(text).expect("demo catalog parses")).unwrap()
    }

    #[test]
    fn the_demo_catalog_matches_the_spec() {
        let c = demo();
        assert_eq!(c.currency(), Currency::USD);
        let usd = |m| Some(Money::new(m, Currency::USD));
        let ess = c.plan(PlanId::Essentials);
        assert_eq!(ess.seat_price_per_month(Interval::Month), usd(8_900));
        assert_eq!(ess.seat_price_per_month(Interval::Year), usd(7_900));
        let bus = c.plan(PlanId::Business);
        assert_eq!(bus.seat_price_per_month(Interval::Month), usd(13_900));
        assert_eq!(bus.seat_price_per_month(Interval::Year), usd(11_900));
        let pre = c.plan(PlanId::Premium);
        assert_eq!(pre.seat_price_per_month(Interval::Month), None);
        assert_eq!(pre.seat_price_per_month(Interval::Year), usd(23_900));
        assert!(pre.contract && !bus.contract && !ess.contract);
        assert_eq!(
            c.add_on(AddOnId::SupportBot).unwrap().monthly_price,
            Money::new(5_000, Currency::USD)
        );
        assert_eq!(
            c.add_on(AddOnId::Operation).unwrap().monthly_price,
            Money::new(3_000, Currency::USD)
        );
        assert_eq!(
            c.add_on(AddOnId::Marketing).unwrap().monthly_price,
            Money::new(4_000, Currency::USD)
        );
        assert_eq!(c.pause_monthly_price(), Money::new(100, Currency::USD));
    }

    #[test]
    fn period_prices_follow_seats_interval_and_add_ons() {
        let c = demo();
        type Case = (PlanId, Interval, u32, &'static [AddOnId], Option<i64>);
        let cases: [Case; 5] = [
            (PlanId::Business, Interval::Month, 12, &[], Some(166_800)),
            (PlanId::Business, Interval::Year, 12, &[], Some(1_713_600)),
            (
                PlanId::Essentials,
                Interval::Month,
                3,
                &[AddOnId::SupportBot, AddOnId::Marketing],
                Some(35_700),
            ),
            (
                PlanId::Premium,
                Interval::Year,
                1,
                &[AddOnId::Operation],
                Some(286_800 + 36_000),
            ),
            (PlanId::Premium, Interval::Month, 5, &[], None),
        ];
        for (plan, interval, seats, add_ons, expected) in cases {
            assert_eq!(
                c.period_price(plan, interval, seats, add_ons)
                    .map(|m| m.amount()),
                expected,
                "{plan} {interval:?} {seats}"
            );
        }
    }

    #[test]
    fn a_catalog_that_would_misprice_is_refused() {
        let base = include_str!("../../../config/catalog.toml");
        let bad_currency = base.replacen("currency = \"USD\"", "currency = \"usd\"", 1);
        assert!(matches!(
            Catalog::from_file(toml::from_str(&bad_currency).unwrap()),
            Err(CatalogError::Currency(_))
        ));
        let zero_price = base.replacen("monthly_seat_price = 8900", "monthly_seat_price = 0", 1);
        assert!(matches!(
            Catalog::from_file(toml::from_str(&zero_price).unwrap()),
            Err(CatalogError::NonPositivePrice(_))
        ));
        let mut file: CatalogFile = toml::from_str(base).unwrap();
        file.plans.retain(|p| p.id != PlanId::Premium);
        assert_eq!(
            Catalog::from_file(file),
            Err(CatalogError::MissingPlan(PlanId::Premium))
        );
    }
}
