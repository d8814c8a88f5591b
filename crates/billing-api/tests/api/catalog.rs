//! `GET /api/catalog`: the figures the portal shows are the configured
//! ones (`config/catalog.toml`, `config/cancel-flow.toml`), and anyone may
//! read them.

use crate::helpers::spawn_app;
use billing_domain::wire::CatalogView;
use billing_domain::{AddOnId, Interval, PlanId};
use reqwest::StatusCode;
use serde_json::json;

/// The catalog as an anonymous caller reads it.
async fn catalog() -> CatalogView {
    let app = spawn_app().await;
    let res = app.client().get("/api/catalog").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// A plan's (per month, per period) seat price at `interval`, in minor units.
fn seat_prices(c: &CatalogView, plan: PlanId, interval: Interval) -> Option<(i64, i64)> {
    let price = c.plan(plan)?.price(interval)?;
    Some((
        price.seat_price_per_month.amount(),
        price.seat_price_per_period.amount(),
    ))
}

#[tokio::test]
async fn the_catalog_lists_the_configured_plans_and_prices() {
    let c = catalog().await;
    let ids: Vec<PlanId> = c.plans.iter().map(|p| p.id).collect();
    assert_eq!(ids, [PlanId::Essentials, PlanId::Business, PlanId::Premium]);
    assert_eq!(c.plan_name(PlanId::Essentials), "Essentials");
    assert_eq!(c.plan_name(PlanId::Business), "Business");
    assert_eq!(c.plan_name(PlanId::Premium), "Premium");
    let month = Interval::Month;
    let year = Interval::Year;
    assert_eq!(
        seat_prices(&c, PlanId::Essentials, month),
        Some((8_900, 8_900))
    );
    assert_eq!(
        seat_prices(&c, PlanId::Essentials, year),
        Some((7_900, 94_800))
    );
    assert_eq!(
        seat_prices(&c, PlanId::Business, month),
        Some((13_900, 13_900))
    );
    assert_eq!(
        seat_prices(&c, PlanId::Business, year),
        Some((11_900, 142_800))
    );
    // Premium: annual only, and a contract plan (not self-serve).
    assert_eq!(seat_prices(&c, PlanId::Premium, month), None);
    assert_eq!(
        seat_prices(&c, PlanId::Premium, year),
        Some((23_900, 286_800))
    );
    let premium = c.plan(PlanId::Premium).unwrap();
    assert_eq!(premium.intervals().collect::<Vec<_>>(), [year]);
    assert!(!premium.self_serve);
    assert!(c.plan(PlanId::Essentials).unwrap().self_serve);
    assert!(c.plan(PlanId::Business).unwrap().self_serve);
    for plan in &c.plans {
        for price in &plan.prices {
            assert_eq!(price.seat_price_per_month.currency().code(), "USD");
        }
    }
}

#[tokio::test]
async fn the_catalog_lists_add_ons_the_pause_price_and_the_refund_window() {
    let c = catalog().await;
    let add_ons: Vec<(AddOnId, &str, &str, i64)> = c
        .add_ons
        .iter()
        .map(|a| {
            (
                a.id,
                a.name.as_str(),
                a.description.as_str(),
                a.monthly_price.amount(),
            )
        })
        .collect();
    assert_eq!(
        add_ons,
        [
            (
                AddOnId::SupportBot,
                "Support Bot",
                "An automated assistant that answers common questions.",
                5_000
            ),
            (
                AddOnId::Operation,
                "Operation",
                "Automation rules and statistics.",
                3_000
            ),
            (
                AddOnId::Marketing,
                "Marketing",
                "Campaigns to your customers.",
                4_000
            ),
        ]
    );
    assert_eq!(c.pause_price.amount(), 100);
    assert_eq!(c.pause_price.currency().code(), "USD");
    assert_eq!(c.refund_window_days, 7);
    assert_eq!(c.customer_success_email, "success@example.com");
}

#[tokio::test]
async fn the_catalog_is_the_same_for_everyone_and_matches_what_is_billed() {
    let app = spawn_app().await;
    let (status, anonymous) = app.client().get_json("/api/catalog").await;
    assert_eq!(status, StatusCode::OK);
    let account = app.test_account().await;
    let member = app.signed_in(&account, "member").await;
    let (status, signed_in) = member.get_json("/api/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(anonymous, signed_in);
    // Money on the wire as everywhere: minor units and a currency.
    assert_eq!(
        anonymous["pause_price"],
        json!({ "amount": 100, "currency": "USD" })
    );
    assert_eq!(anonymous["plans"][2]["id"], "premium");
    assert_eq!(anonymous["plans"][2]["self_serve"], false);
    assert_eq!(anonymous["plans"][2]["prices"][0]["interval"], "year");
    // The demo subscription (Business, monthly, 12 seats) pays 12 × the
    // catalog's monthly seat price.
    let owner = app.signed_in(&account, "owner").await;
    let catalog: CatalogView = serde_json::from_value(anonymous).unwrap();
    let business = catalog.plan(PlanId::Business).unwrap();
    let seat = business
        .price(Interval::Month)
        .unwrap()
        .seat_price_per_period;
    assert_eq!(
        owner.overview().await.next_charge.amount(),
        12 * seat.amount()
    );
}

#[tokio::test]
async fn a_premium_test_account_is_billed_yearly_at_the_catalog_price() {
    let app = spawn_app().await;
    let account = app.test_account_on("premium").await;
    let owner = app.signed_in(&account, "owner").await;
    let overview = owner.overview().await;
    assert_eq!(overview.plan, PlanId::Premium);
    assert_eq!(overview.interval, Interval::Year);
    assert!(overview.contract);
    assert_eq!(overview.seats.purchased, 12);
    let invoices = owner.invoices().await;
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0].total.amount(), 12 * 286_800);
    // The default stays the demo subscription (SPEC §9).
    let default = app.test_account().await;
    let overview = app.signed_in(&default, "owner").await.overview().await;
    assert_eq!(
        (overview.plan, overview.interval),
        (PlanId::Business, Interval::Month)
    );
}
