//! The catalog (`GET /api/catalog`): plan and add-on names, the intervals
//! and prices each plan is sold at, the pause price and the refund window.
//! Read once per visit and shared, so every page names and prices things
//! as the API bills them, and none keeps its own copy of a catalog fact.
//!
//! A view that shows catalog facts awaits [`CatalogContext::get`] in its
//! `Suspend`, beside its own resource, so a failed read is an error value
//! for its `ErrorBoundary` like any other; its retry calls
//! [`CatalogContext::retry`] too.

use crate::api::{self, ApiError};
use billing_domain::wire::CatalogView;
use leptos::prelude::*;
use std::sync::Arc;

/// The catalog as the API answered it (shared, never copied per view).
pub type Catalog = Arc<CatalogView>;

/// The catalog context: one read of `GET /api/catalog` for the whole app.
#[derive(Clone, Copy)]
pub struct CatalogContext(LocalResource<Result<Catalog, ApiError>>);

impl CatalogContext {
    /// The catalog, once read (at once after the first read).
    pub async fn get(self) -> Result<Catalog, ApiError> {
        self.0.await
    }

    /// Reads the catalog again if the last read failed; a good read is
    /// kept (the catalog does not change while the app runs).
    pub fn retry(self) {
        let failed = self
            .0
            .with_untracked(|answer| matches!(answer, Some(Err(_))));
        if failed {
            self.0.refetch();
        }
    }
}

/// Creates the catalog context and starts reading `GET /api/catalog`.
pub fn provide_catalog() -> CatalogContext {
    let catalog = CatalogContext(LocalResource::new(|| async {
        api::get_catalog().await.map(Arc::new)
    }));
    provide_context(catalog);
    catalog
}

/// The catalog context, provided by the app.
pub fn use_catalog() -> CatalogContext {
    expect_context::<CatalogContext>()
}

/// A catalog for the unit tests of views: the demo catalog's figures, as
/// `GET /api/catalog` answers them (the API's own tests hold them to
/// `config/catalog.toml`).
#[cfg(test)]
pub mod testing {
    use billing_domain::wire::{CatalogAddOn, CatalogPlan, CatalogPrice, CatalogView};
    use billing_domain::{AddOnId, Currency, Interval, Money, PlanId};

    /// The demo catalog.
    pub fn demo_catalog() -> CatalogView {
        let usd = |minor| Money::new(minor, Currency::USD);
        let price = |interval: Interval, per_month: i64| CatalogPrice {
            interval,
            seat_price_per_month: usd(per_month),
            seat_price_per_period: usd(per_month * i64::from(interval.months())),
        };
        let plan = |id, name: &str, self_serve, prices| CatalogPlan {
            id,
            name: name.into(),
            self_serve,
            prices,
        };
        let add_on = |id, name: &str, description: &str, monthly: i64| CatalogAddOn {
            id,
            name: name.into(),
            description: description.into(),
            monthly_price: usd(monthly),
        };
        CatalogView {
            plans: vec![
                plan(
                    PlanId::Essentials,
                    "Essentials",
                    true,
                    vec![price(Interval::Month, 8_900), price(Interval::Year, 7_900)],
                ),
                plan(
                    PlanId::Business,
                    "Business",
                    true,
                    vec![
                        price(Interval::Month, 13_900),
                        price(Interval::Year, 11_900),
                    ],
                ),
                plan(
                    PlanId::Premium,
                    "Premium",
                    false,
                    vec![price(Interval::Year, 23_900)],
                ),
            ],
            add_ons: vec![
                add_on(
                    AddOnId::SupportBot,
                    "Support Bot",
                    "An automated assistant that answers common questions.",
                    5_000,
                ),
                add_on(
                    AddOnId::Operation,
                    "Operation",
                    "Automation rules and statistics.",
                    3_000,
                ),
                add_on(
                    AddOnId::Marketing,
                    "Marketing",
                    "Campaigns to your customers.",
                    4_000,
                ),
            ],
            pause_price: usd(100),
            refund_window_days: 7,
            customer_success_email: "success@example.com".into(),
        }
    }
}
