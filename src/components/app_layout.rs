//! The signed-in frame around every billing page: top bar (product, account,
//! user, "Sign out"), side navigation and the main region. It also keeps
//! signed-out visitors out, sending them to sign in and back again.

use crate::api;
use crate::components::error_view::ErrorView;
use crate::components::loading_view::LoadingView;
use crate::state::server_mode::{use_server_mode, ServerMode};
use crate::state::session::{refresh_session, set_session, use_session, SessionState};
use billing_domain::Permission;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::location::Location;
use leptos_router::NavigateOptions;

/// One entry of the side navigation.
struct NavEntry {
    href: &'static str,
    label: &'static str,
    /// Shown only to users holding this permission; `None` for everyone.
    requires: Option<Permission>,
    /// Marked current only on exactly this path, rather than also on the
    /// pages below it (an invoice's page belongs to "Invoices").
    exact: bool,
    /// Shown only on dev and test servers.
    dev_only: bool,
}

/// The side navigation, in order. Plans & Billing is for everyone: users
/// without `billing:read` see there who manages billing.
const NAV_ENTRIES: &[NavEntry] = &[
    NavEntry {
        href: "/billing",
        label: "Plans & Billing",
        requires: None,
        exact: true,
        dev_only: false,
    },
    NavEntry {
        href: "/billing/subscription",
        label: "Subscription",
        requires: Some(Permission::BillingRead),
        exact: true,
        dev_only: false,
    },
    NavEntry {
        href: "/billing/invoices",
        label: "Invoices",
        requires: Some(Permission::BillingRead),
        exact: false,
        dev_only: false,
    },
    NavEntry {
        href: "/billing/payment",
        label: "Payment",
        requires: Some(Permission::BillingRead),
        exact: true,
        dev_only: false,
    },
    NavEntry {
        href: "/billing/access",
        label: "Billing access",
        requires: Some(Permission::MembersRead),
        exact: true,
        dev_only: false,
    },
    NavEntry {
        href: "/billing/audit",
        label: "Audit log",
        requires: Some(Permission::AuditRead),
        exact: true,
        dev_only: false,
    },
    NavEntry {
        href: "/account/security",
        label: "Sign-in & security",
        requires: None,
        exact: true,
        dev_only: false,
    },
    NavEntry {
        href: "/dev/mailbox",
        label: "Dev mailbox",
        requires: None,
        exact: true,
        dev_only: true,
    },
];

/// What the layout can show for the current session.
#[derive(Clone, PartialEq)]
enum Gate {
    Open,
    Waiting,
    Failed(api::ApiError),
}

/// The layout route: renders its child route inside the app frame once a
/// session exists, and redirects to `/sign-in?next=…` when there is none.
#[component]
pub fn AppLayout() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();

    Effect::new(move |_| {
        if let SessionState::SignedOut { by_user } = session.get() {
            let target = if by_user {
                "/sign-in".to_string()
            } else {
                sign_in_path(&location)
            };
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    let gate = Memo::new(move |_| {
        session.with(|state| match state {
            SessionState::SignedIn(_) => Gate::Open,
            SessionState::Checking | SessionState::SignedOut { .. } => Gate::Waiting,
            SessionState::Unavailable(e) => Gate::Failed(e.clone()),
        })
    });

    move || match gate.get() {
        Gate::Open => view! { <Shell /> }.into_any(),
        Gate::Waiting => view! {
            <div class="fullpage-status">
                <LoadingView label="Checking your session…" />
            </div>
        }
        .into_any(),
        Gate::Failed(error) => view! {
            <div class="fullpage-status">
                <ErrorView
                    title="We couldn't load your account"
                    message=error.message
                    on_retry=Callback::new(move |_| {
                        set_session(session, SessionState::Checking);
                        refresh_session(session);
                    })
                />
            </div>
        }
        .into_any(),
    }
}

/// `/sign-in?next=<where the user was>`.
fn sign_in_path(location: &Location) -> String {
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    let next = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    let encoded = js_sys::encode_uri_component(&next)
        .as_string()
        .unwrap_or_default()
        // A slash needs no escaping in a query; `?next=/billing` reads better.
        .replace("%2F", "/");
    format!("/sign-in?next={encoded}")
}

/// The frame itself, for a signed-in user.
#[component]
fn Shell() -> impl IntoView {
    let session = use_session();
    let main_ref = NodeRef::<leptos::html::Main>::new();

    let user_name = move || session.with(|s| s.info().map(|i| i.user.name.clone()));
    let role_label = move || session.with(|s| s.info().map(|i| i.role.label()));
    let account_name = move || session.with(|s| s.info().map(|i| i.account.name.clone()));
    let initials = move || user_name().map(|name| initials(&name));

    let sign_out = Action::new_local(move |_: &()| async move {
        let result = api::sign_out().await;
        if result.is_ok() {
            set_session(session, SessionState::SignedOut { by_user: true });
        }
        result
    });
    let sign_out_error = move || match sign_out.value().get() {
        Some(Err(e)) => Some(e.message),
        _ => None,
    };

    let server_mode = use_server_mode();
    let nav_entries = move || {
        let dev_tools = server_mode.with(ServerMode::has_dev_tools);
        NAV_ENTRIES
            .iter()
            .filter(|entry| entry.requires.is_none_or(|p| session.with(|s| s.can(p))))
            .filter(|entry| dev_tools || !entry.dev_only)
            .map(|entry| {
                view! {
                    <li>
                        <A href=entry.href exact=entry.exact>
                            {entry.label}
                        </A>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <a
            class="skip-link"
            href="#main"
            on:click=move |ev| {
                // The router would treat the fragment as a navigation; move
                // focus instead, which is what a skip link is for.
                ev.prevent_default();
                if let Some(main) = main_ref.get() {
                    let _ = main.focus();
                }
            }
        >
            "Skip to content"
        </a>
        <header class="topbar">
            <div class="topbar__brand">
                <a class="brand" href="/billing">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">"Billing portal"</span>
                </a>
                <span class="topbar__account" title="Account">
                    {account_name}
                </span>
            </div>
            <div class="topbar__user">
                <span class="avatar" aria-hidden="true">
                    {initials}
                </span>
                <span class="user">
                    <span class="user__name">{user_name}</span>
                    <span class="user__role">{role_label}</span>
                </span>
                <button
                    type="button"
                    class="button button--secondary button--small"
                    disabled=move || sign_out.pending().get()
                    on:click=move |_| {
                        if !sign_out.pending().get_untracked() {
                            sign_out.dispatch(());
                        }
                    }
                >
                    {move || if sign_out.pending().get() { "Signing out…" } else { "Sign out" }}
                </button>
            </div>
        </header>
        {move || {
            sign_out_error()
                .map(|message| {
                    view! {
                        <p class="banner banner--error" role="alert">
                            "You are still signed in: "
                            {message}
                        </p>
                    }
                })
        }}
        <div class="shell">
            <nav class="sidenav" aria-label="Billing">
                <ul>{nav_entries}</ul>
            </nav>
            <main id="main" class="main" tabindex="-1" node_ref=main_ref>
                <Outlet />
            </main>
        </div>
    }
}

/// Up to two initials for the avatar, e.g. "Jane Doe" → "JD".
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}
