//! The account's billing state as a banner at the top of the billing pages:
//! past due (with the grace left), deactivated or frozen, and what to do
//! about it. An account in good standing shows nothing.

use crate::api;
use crate::components::error_view::errors_message;
use crate::format;
use crate::state::session::use_session;
use billing_domain::subscription::GRACE_DAYS;
use billing_domain::wire::BillingOverview;
use billing_domain::{Money, Permission, SubscriptionStatus};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Where the payment method is changed.
const PAYMENT_PATH: &str = "/billing/payment";

/// The banner for `overview`'s state, if it needs one.
#[component]
pub fn StatusBanner(
    /// The billing overview.
    overview: BillingOverview,
    /// Whether to offer the link to the payment page; off on that page
    /// itself, where the form is right below.
    #[prop(default = true)]
    show_action: bool,
) -> impl IntoView {
    let session = use_session();
    let can_manage = move || session.with(|s| s.can(Permission::BillingManage));
    let state = AccountState {
        status: overview.status,
        amount_due: overview.amount_due,
        recovery_charge: overview.next_charge,
        grace_until: overview.grace_until,
    };
    // Days are counted on the account's own clock (`as_of`), never the
    // browser's: a test account's clock may run ahead of the real one.
    notice_for(&state, overview.as_of).map(|notice| {
        view! {
            <div class="status-banner" role="alert">
                <span class="status-banner__icon" aria-hidden="true">
                    "!"
                </span>
                <div class="status-banner__text">
                    <p class="status-banner__title">{notice.title}</p>
                    <p>{notice.text}</p>
                    {move || {
                        if !can_manage() {
                            Some(
                                view! {
                                    <p>"Ask the account owner or an admin to update the payment method."</p>
                                }
                                    .into_any(),
                            )
                        } else if show_action {
                            Some(
                                view! {
                                    <a class="button button--danger button--small" href=PAYMENT_PATH>
                                        {notice.action}
                                    </a>
                                }
                                    .into_any(),
                            )
                        } else {
                            None
                        }
                    }}
                </div>
            </div>
        }
    })
}

/// The same banner for pages that do not load the overview themselves: it
/// reads `GET /api/billing/overview` on its own. Users who may not read
/// billing (403) see nothing here; the page tells them why.
#[component]
pub fn AccountStatusBanner() -> impl IntoView {
    let overview = LocalResource::new(api::billing_overview);
    view! {
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=move |errors| {
                let message = errors_message(&errors.read());
                view! {
                    <p class="banner banner--error" role="alert">
                        "We couldn't check your account's billing status: "
                        {message}
                    </p>
                }
            }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => Ok(view! { <StatusBanner overview /> }.into_any()),
                        Err(e) if e.is_forbidden() || e.is_unauthorized() => Ok(().into_any()),
                        Err(e) => Err(e),
                    }
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The parts of the overview a banner depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
struct AccountState {
    status: SubscriptionStatus,
    amount_due: Money,
    /// While locked: what a working card pays for the new period it starts.
    recovery_charge: Money,
    grace_until: Option<DateTime<Utc>>,
}

/// What a banner says.
#[derive(Debug, Clone, PartialEq)]
struct Notice {
    title: &'static str,
    text: String,
    /// The label of the link to the payment page.
    action: &'static str,
}

fn notice_for(overview: &AccountState, now: DateTime<Utc>) -> Option<Notice> {
    let due = overview.amount_due.format();
    let restart = overview.recovery_charge.format();
    match overview.status {
        SubscriptionStatus::PastDue => {
            let when = match overview.grace_until.map(|until| grace_days_left(until, now)) {
                Some(0) => "today".to_string(),
                Some(days) => format!("within {}", format::days(days)),
                None => "as soon as possible".to_string(),
            };
            Some(Notice {
                title: "Payment failed",
                text: format!(
                    "Your last payment failed. Update your payment method {when} to avoid deactivation."
                ),
                action: "Update payment method",
            })
        }
        SubscriptionStatus::Deactivated => Some(Notice {
            title: "Account deactivated",
            text: format!(
                "Your account is deactivated because {due} is unpaid. Everything except billing is locked until you update your payment method: a working card pays {restart} for a new period starting today, and the locked time is not billed."
            ),
            action: "Update payment method",
        }),
        SubscriptionStatus::Frozen => Some(Notice {
            title: "Account frozen",
            text: format!(
                "Your account is frozen because there is no payment method on file. Add a card to pay {restart} for a new period starting today and unfreeze it; the frozen time is not billed."
            ),
            action: "Add a card",
        }),
        _ => None,
    }
}

/// Whole days of grace left, counting a started day as a day; 0 when less
/// than a day is left ("today").
///
/// Counted from the overview's `as_of`, the account's own clock. (The
/// overview's `grace_days_left` rounds down, so right after a decline it
/// says 2 of the 3 days; a started day counts here, as people count it.)
/// Never more than the grace period itself.
fn grace_days_left(grace_until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    const DAY: i64 = 86_400;
    let seconds = (grace_until - now).num_seconds();
    if seconds < DAY {
        0
    } else {
        ((seconds + DAY - 1) / DAY).min(GRACE_DAYS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use billing_domain::Currency;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 22, 9, 0, 0).unwrap()
    }

    fn overview(status: SubscriptionStatus, grace_until: Option<DateTime<Utc>>) -> AccountState {
        let usd = Currency::parse("USD").unwrap();
        AccountState {
            status,
            amount_due: Money::new(166_800, usd),
            recovery_charge: Money::new(125_100, usd),
            grace_until,
        }
    }

    #[test]
    fn grace_counts_started_days_and_says_today_under_a_day() {
        let cases = [
            (Duration::days(3), 3),
            (Duration::days(3) - Duration::seconds(5), 3),
            (Duration::hours(36), 2),
            (Duration::days(1), 1),
            (Duration::hours(23), 0),
            (Duration::hours(-2), 0),
            (Duration::days(33), 3),
        ];
        for (left, days) in cases {
            assert_eq!(grace_days_left(now() + left, now()), days, "{left}");
        }
    }

    #[test]
    fn each_unpaid_state_has_its_banner() {
        let past_due = notice_for(
            &overview(SubscriptionStatus::PastDue, Some(now() + Duration::days(3))),
            now(),
        )
        .unwrap();
        assert_eq!(
            past_due.text,
            "Your last payment failed. Update your payment method within 3 days to avoid deactivation."
        );
        let last_day = notice_for(
            &overview(
                SubscriptionStatus::PastDue,
                Some(now() + Duration::hours(5)),
            ),
            now(),
        )
        .unwrap();
        assert!(last_day.text.contains("payment method today to avoid"));
        let deactivated =
            notice_for(&overview(SubscriptionStatus::Deactivated, None), now()).unwrap();
        assert_eq!(
            deactivated.text,
            "Your account is deactivated because $1,668.00 is unpaid. Everything except billing is locked until you update your payment method: a working card pays $1,251.00 for a new period starting today, and the locked time is not billed."
        );
        let frozen = notice_for(&overview(SubscriptionStatus::Frozen, None), now()).unwrap();
        assert_eq!(frozen.action, "Add a card");
        assert!(frozen
            .text
            .ends_with("Add a card to pay $1,251.00 for a new period starting today and unfreeze it; the frozen time is not billed."));
        assert_eq!(
            notice_for(&overview(SubscriptionStatus::Active, None), now()),
            None
        );
    }
}
