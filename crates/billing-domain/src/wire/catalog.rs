//! `GET /api/catalog`: what is sold and at what price, so that the SPA
//! never writes a plan name, a price or a policy figure of its own.

use crate::cancel_flow::CancelFlow;
use crate::catalog::{AddOnId, Catalog, Interval, PlanId};
use crate::money::Money;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The intervals in the order the portal lists them.
const INTERVALS: [Interval; 2] = [Interval::Month, Interval::Year];

/// `GET /api/catalog`: the plans, add-ons, the pause price and the refund
/// window, as the API's configuration has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogView {
    /// Every plan, cheapest first.
    pub plans: Vec<CatalogPlan>,
    /// Every add-on the catalog sells.
    pub add_ons: Vec<CatalogAddOn>,
    /// What a paused subscription pays per month.
    pub pause_price: Money,
    /// Days after a purchase within which an unused plan is refunded in full.
    pub refund_window_days: u32,
    /// Where contract plans are bought and changed: the Customer Success team.
    pub customer_success_email: String,
}

/// A plan and the intervals it is sold at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogPlan {
    pub id: PlanId,
    pub name: String,
    /// False for contract plans, which are bought, changed and cancelled
    /// only through Customer Success.
    pub self_serve: bool,
    /// One entry per interval the plan is sold at, monthly first.
    pub prices: Vec<CatalogPrice>,
}

/// A plan's per-seat price at one interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogPrice {
    pub interval: Interval,
    /// Per seat per month (an annual price is still quoted per month).
    pub seat_price_per_month: Money,
    /// Per seat for one whole period (twelve months when annual).
    pub seat_price_per_period: Money,
}

/// An add-on: a flat price per month, whatever the number of seats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogAddOn {
    pub id: AddOnId,
    pub name: String,
    pub description: String,
    pub monthly_price: Money,
}

impl CatalogView {
    /// The catalog as the API's configuration has it: prices and names from
    /// the catalog, the refund window and the Customer Success address from
    /// the cancel flow.
    pub fn new(catalog: &Catalog, flow: &CancelFlow) -> CatalogView {
        let plans = catalog
            .plans()
            .iter()
            .map(|plan| CatalogPlan {
                id: plan.id,
                name: plan.name.clone(),
                self_serve: !plan.contract,
                prices: INTERVALS
                    .into_iter()
                    .filter_map(|interval| {
                        Some(CatalogPrice {
                            interval,
                            seat_price_per_month: plan.seat_price_per_month(interval)?,
                            seat_price_per_period: plan.seat_price_per_period(interval)?,
                        })
                    })
                    .collect(),
            })
            .collect();
        let add_ons = catalog
            .add_ons()
            .iter()
            .map(|a| CatalogAddOn {
                id: a.id,
                name: a.name.clone(),
                description: a.description.clone(),
                monthly_price: a.monthly_price,
            })
            .collect();
        CatalogView {
            plans,
            add_ons,
            pause_price: catalog.pause_monthly_price(),
            refund_window_days: flow.file.full_refund_days,
            customer_success_email: flow.file.customer_success_email.clone(),
        }
    }

    /// The plan with this id, if the catalog lists it.
    pub fn plan(&self, id: PlanId) -> Option<&CatalogPlan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The plan's name; its wire id if the catalog does not list it (a
    /// view then still says something true).
    pub fn plan_name(&self, id: PlanId) -> &str {
        self.plan(id).map_or(id.as_str(), |p| p.name.as_str())
    }

    /// Whether `plan` is sold at `interval`.
    pub fn sells(&self, plan: PlanId, interval: Interval) -> bool {
        self.plan(plan).is_some_and(|p| p.price(interval).is_some())
    }

    /// The add-on with this id, if the catalog sells it.
    pub fn add_on(&self, id: AddOnId) -> Option<&CatalogAddOn> {
        self.add_ons.iter().find(|a| a.id == id)
    }

    /// The add-on's name; its wire id if the catalog does not sell it.
    pub fn add_on_name(&self, id: AddOnId) -> &str {
        self.add_on(id).map_or(id.as_str(), |a| a.name.as_str())
    }
}

impl CatalogPlan {
    /// The price at `interval`, if the plan is sold at it.
    pub fn price(&self, interval: Interval) -> Option<&CatalogPrice> {
        self.prices.iter().find(|p| p.interval == interval)
    }

    /// The intervals the plan is sold at, monthly first.
    pub fn intervals(&self) -> impl Iterator<Item = Interval> + '_ {
        self.prices.iter().map(|p| p.interval)
    }

    /// The lowest per-seat monthly price of the plan (its "from" price).
    pub fn lowest_seat_price_per_month(&self) -> Option<Money> {
        self.prices
            .iter()
            .map(|p| p.seat_price_per_month)
            .min_by_key(|m| m.amount())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancel_flow::CancelFlowFile;
    use crate::catalog::CatalogFile;
    use crate::money::Currency;

    fn demo() -> CatalogView {
        let catalog_file: CatalogFile =
            toml::from_str(include_str!("../../../../config/catalog.toml")).unwrap();
        let catalog = Catalog::from_file(catalog_file).unwrap();
        let flow_file: CancelFlowFile =
            toml::from_str(include_str!("../../../../config/cancel-flow.toml")).unwrap();
        let flow = CancelFlow::from_file(flow_file, &catalog).unwrap();
        CatalogView::new(&catalog, &flow)
    }

    #[test]
    fn the_view_carries_the_configured_figures() {
        let view = demo();
        let usd = |m| Money::new(m, Currency::USD);
        let premium = view.plan(PlanId::Premium).unwrap();
        assert!(!premium.self_serve);
        assert_eq!(premium.intervals().collect::<Vec<_>>(), [Interval::Year]);
        assert_eq!(
            premium.price(Interval::Year).unwrap().seat_price_per_period,
            usd(23_900 * 12)
        );
        let business = view.plan(PlanId::Business).unwrap();
        assert!(business.self_serve);
        assert_eq!(business.lowest_seat_price_per_month(), Some(usd(11_900)));
        assert!(view.sells(PlanId::Essentials, Interval::Month));
        assert!(!view.sells(PlanId::Premium, Interval::Month));
        assert_eq!(view.plan_name(PlanId::Essentials), "Essentials");
        assert_eq!(view.add_on_name(AddOnId::SupportBot), "Support Bot");
        assert_eq!(view.pause_price, usd(100));
        assert_eq!(view.refund_window_days, 7);
    }

    #[test]
    fn unknown_ids_fall_back_to_the_wire_id() {
        let mut view = demo();
        view.plans.clear();
        view.add_ons.clear();
        assert_eq!(view.plan_name(PlanId::Premium), "premium");
        assert_eq!(view.add_on_name(AddOnId::Marketing), "marketing");
        assert!(!view.sells(PlanId::Business, Interval::Month));
    }
}
