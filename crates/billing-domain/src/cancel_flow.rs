//! The cancel wizard's rules (SPEC §5): reasons, offers per reason, the
//! consequences shown before confirming, and the exact confirmation word.

use crate::catalog::{Catalog, PlanId};
use crate::money::Money;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The word a user types to confirm: exactly this, nothing else.
pub const CONFIRM_WORD: &str = "CONFIRM";

/// Whether `typed` confirms cancellation (case and spaces matter).
pub fn confirms(typed: &str) -> bool {
    typed == CONFIRM_WORD
}

/// When a cancellation ends access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessEnds {
    PeriodEnd,
    Immediately,
}

/// What an offer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    Discount,
    Downgrade,
    Meeting,
    Pause,
}

/// `config/cancel-flow.toml` as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelFlowFile {
    pub access_ends: AccessEnds,
    pub cancel_requires_owner: bool,
    pub retention_days: u32,
    pub full_refund_days: u32,
    pub customer_success_email: String,
    pub billing_team_email: String,
    pub reasons: Vec<Reason>,
    pub offers: Vec<Offer>,
}

/// A reason to cancel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub id: String,
    pub label: String,
    /// The user must say more (e.g. "Something else").
    #[serde(default)]
    pub requires_text: bool,
    /// The ids of the offers shown for this reason.
    pub offers: Vec<String>,
}

/// An offer to stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Offer {
    pub id: String,
    pub kind: OfferKind,
    pub title: String,
    pub description: String,
    /// Discount offers: percent off each renewal.
    pub discount_percent: Option<u32>,
    /// Discount offers: how many renewals.
    pub discount_periods: Option<u32>,
    /// Downgrade offers: the plan to move to.
    pub plan: Option<PlanId>,
}

/// Why the flow's configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelFlowError {
    #[error("reason or offer id `{0}` is listed twice")]
    Duplicate(String),
    #[error("reason `{0}` names unknown offer `{1}`")]
    UnknownOffer(String, String),
    #[error("offer `{0}`: {1}")]
    BadOffer(String, &'static str),
    #[error("there must be at least one reason")]
    NoReasons,
}

/// The validated flow.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelFlow {
    pub file: CancelFlowFile,
}

impl CancelFlow {
    /// Validates the file against the catalog.
    pub fn from_file(
        file: CancelFlowFile,
        catalog: &Catalog,
    ) -> Result<CancelFlow, CancelFlowError> {
        if file.reasons.is_empty() {
            return Err(CancelFlowError::NoReasons);
        }
        let mut seen = std::collections::BTreeSet::new();
        for id in file
            .reasons
            .iter()
            .map(|r| &r.id)
            .chain(file.offers.iter().map(|o| &o.id))
        {
            if !seen.insert(id.clone()) {
                return Err(CancelFlowError::Duplicate(id.clone()));
            }
        }
        for reason in &file.reasons {
            for offer in &reason.offers {
                if !file.offers.iter().any(|o| &o.id == offer) {
                    return Err(CancelFlowError::UnknownOffer(
                        reason.id.clone(),
                        offer.clone(),
                    ));
                }
            }
        }
        for offer in &file.offers {
            let bad = |why| Err(CancelFlowError::BadOffer(offer.id.clone(), why));
            match offer.kind {
                OfferKind::Discount => match (offer.discount_percent, offer.discount_periods) {
                    (Some(p), Some(n)) if (1..=100).contains(&p) && (1..=36).contains(&n) => {}
                    _ => {
                        return bad(
                            "a discount needs discount_percent 1–100 and discount_periods 1–36",
                        )
                    }
                },
                OfferKind::Downgrade => match offer.plan {
                    Some(plan) if !catalog.plan(plan).contract => {}
                    _ => return bad("a downgrade needs a self-serve plan"),
                },
                OfferKind::Meeting | OfferKind::Pause => {}
            }
        }
        Ok(CancelFlow { file })
    }

    /// The reason with this id.
    pub fn reason(&self, id: &str) -> Option<&Reason> {
        self.file.reasons.iter().find(|r| r.id == id)
    }

    /// The offer with this id.
    pub fn offer(&self, id: &str) -> Option<&Offer> {
        self.file.offers.iter().find(|o| o.id == id)
    }

    /// The offers shown for a reason to a subscription on `plan`: a
    /// downgrade only to a cheaper plan, a pause only if not paused.
    /// The offers shown for `reason` on `plan`: a downgrade only to a cheaper
    /// plan, a discount only when `discount_offerable` (SPEC §11).
    pub fn offers_for(
        &self,
        reason: &Reason,
        catalog: &Catalog,
        plan: PlanId,
        discount_offerable: bool,
    ) -> Vec<Offer> {
        reason
            .offers
            .iter()
            .filter_map(|id| self.offer(id))
            .filter(|o| match (o.kind, o.plan) {
                (OfferKind::Downgrade, Some(target)) => {
                    let price = |p: PlanId| {
                        catalog
                            .plan(p)
                            .seat_price_per_month(crate::catalog::Interval::Month)
                            .or(catalog
                                .plan(p)
                                .seat_price_per_month(crate::catalog::Interval::Year))
                            .map(|m| m.amount())
                    };
                    price(target) < price(plan)
                }
                (OfferKind::Discount, _) => discount_offerable,
                _ => true,
            })
            .cloned()
            .collect()
    }
}

/// One consequence shown before confirming; each must be acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consequence {
    /// `access_ends`, `data_deleted`, `credit`.
    pub id: String,
    pub text: String,
    pub date: Option<DateTime<Utc>>,
}

/// The dated consequences of cancelling at `now` (SPEC §5 step 4).
pub fn consequences(
    flow: &CancelFlow,
    now: DateTime<Utc>,
    period_end: DateTime<Utc>,
    credit_balance: Money,
    format_date: impl Fn(DateTime<Utc>) -> String,
) -> Vec<Consequence> {
    let access_end = match flow.file.access_ends {
        AccessEnds::PeriodEnd => period_end,
        AccessEnds::Immediately => now,
    };
    let deleted = access_end + Duration::days(i64::from(flow.file.retention_days));
    let mut out = vec![
        Consequence {
            id: "access_ends".into(),
            text: if access_end == now {
                "Access ends today: everyone but the owner loses access at once.".into()
            } else {
                format!(
                    "Access ends on {}: until then everything keeps working, and nothing more is charged.",
                    format_date(access_end)
                )
            },
            date: Some(access_end),
        },
        Consequence {
            id: "data_deleted".into(),
            text: format!(
                "Your data is kept until {} so you can reactivate with a card; after that it is deleted and can't be recovered.",
                format_date(deleted)
            ),
            date: Some(deleted),
        },
    ];
    if !credit_balance.is_zero() {
        out.push(Consequence {
            id: "credit".into(),
            // Credit is never paid out by itself: the owner withdraws it.
            text: format!(
                "Your credit balance of {} is not refunded by cancelling; ask the billing team to withdraw it before or after you cancel.",
                credit_balance.format()
            ),
            date: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use chrono::TimeZone;

    fn catalog() -> Catalog {
        Catalog::from_file(toml::from_str(include_str!("../../../config/catalog.toml")).unwrap())
            .unwrap()
    }

    fn flow() -> CancelFlow {
        CancelFlow::from_file(
            toml::from_str(include_str!("../../../config/cancel-flow.toml")).unwrap(),
            &catalog(),
        )
        .unwrap()
    }

    #[test]
    fn only_the_exact_word_confirms() {
        for (typed, ok) in [
            ("CONFIRM", true),
            ("confirm", false),
            ("Confirm", false),
            (" CONFIRM", false),
            ("CONFIRM ", false),
            ("", false),
            ("CONFIRMED", false),
        ] {
            assert_eq!(confirms(typed), ok, "{typed:?}");
        }
    }

    #[test]
    fn the_demo_flow_has_every_reason_of_the_spec() {
        let f = flow();
        let ids: Vec<&str> = f.file.reasons.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "too_expensive",
                "not_using_enough",
                "missing_features",
                "technical_issues",
                "switching_product",
                "business_closing",
                "other"
            ]
        );
        assert!(f.reason("other").unwrap().requires_text);
        assert_eq!(f.file.retention_days, 60);
    }

    #[test]
    fn offers_follow_the_reason_and_the_plan() {
        let (f, c) = (flow(), catalog());
        let reason = f.reason("too_expensive").unwrap();
        let ids = |offers: Vec<Offer>| offers.into_iter().map(|o| o.id).collect::<Vec<_>>();
        let on_business = ids(f.offers_for(reason, &c, PlanId::Business, true));
        assert_eq!(
            on_business,
            ["discount_25_3", "downgrade_essentials", "pause"]
        );
        // No "downgrade" to the plan one already has.
        let on_essentials = ids(f.offers_for(reason, &c, PlanId::Essentials, true));
        assert_eq!(on_essentials, ["discount_25_3", "pause"]);
        // A discount is not offered while one runs or within 12 months of the last.
        let no_discount = ids(f.offers_for(reason, &c, PlanId::Business, false));
        assert_eq!(no_discount, ["downgrade_essentials", "pause"]);
    }

    #[test]
    fn a_flow_that_names_missing_offers_is_refused() {
        let mut file: CancelFlowFile =
            toml::from_str(include_str!("../../../config/cancel-flow.toml")).unwrap();
        file.reasons[0].offers.push("free_lunch".into());
        assert!(matches!(
            CancelFlow::from_file(file, &catalog()),
            Err(CancelFlowError::UnknownOffer(..))
        ));
        let mut file: CancelFlowFile =
            toml::from_str(include_str!("../../../config/cancel-flow.toml")).unwrap();
        file.offers[0].discount_percent = Some(0);
        assert!(matches!(
            CancelFlow::from_file(file, &catalog()),
            Err(CancelFlowError::BadOffer(..))
        ));
    }

    #[test]
    fn consequences_are_dated() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 12, 22, 0, 0, 0).unwrap();
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
        let c = consequences(&flow(), now, end, Money::new(2_500, Currency::USD), fmt);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].date, Some(end));
        assert!(c[0].text.contains("2026-12-22"));
        assert_eq!(c[1].date, Some(end + Duration::days(60)));
        assert!(c[1].text.contains("2027-02-20"));
        assert!(c[2].text.contains("$25.00") && c[2].text.contains("not refunded"));
        let mut immediate = flow();
        immediate.file.access_ends = AccessEnds::Immediately;
        let c = consequences(&immediate, now, end, Money::zero(Currency::USD), fmt);
        assert_eq!((c.len(), c[0].date), (2, Some(now)));
    }
}
