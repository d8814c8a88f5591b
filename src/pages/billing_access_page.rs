//! Billing access: who can see and change billing, the members' requests
//! for access, and whether only the owner may cancel. The owner changes
//! them; admins see them read-only (`members:read`).

use crate::api::members as api;
use crate::components::access_changed_notice::AccessChangedNotice;
use crate::components::access_requests_list::AccessRequestsList;
use crate::components::account_policy_card::AccountPolicyCard;
use crate::components::announcement::{Announcement, AnnouncementRegion};
use crate::components::loading_region::LoadingRegion;
use crate::components::members_table::MembersTable;
use crate::components::page_title::PageTitle;
use crate::components::restricted_notice::RestrictedNotice;
use crate::state::access_change::{provide_access_change, use_access_watch};
use crate::state::session::use_session;
use billing_domain::Permission;
use leptos::prelude::*;

const NO_ACCESS_TITLE: &str = "You don't have access to this page";
const NO_ACCESS_MESSAGE: &str =
    "Only the account owner and admins can see who has billing access. Ask the owner if you need to see or change billing.";

/// `/billing/access`.
#[component]
pub fn BillingAccessPage() -> impl IntoView {
    provide_access_change();
    let session = use_session();
    let can_read = Memo::new(move |_| session.with(|s| s.can(Permission::MembersRead)));
    let can_grant = Memo::new(move |_| session.with(|s| s.can(Permission::MembersGrantBilling)));
    let can_set_policy = Memo::new(move |_| session.with(|s| s.can(Permission::SetPolicy)));
    let account_name = Memo::new(move |_| {
        session.with(|s| {
            s.info()
                .map(|info| info.account.name.clone())
                .unwrap_or_default()
        })
    });
    // Outlives the sections, which are rebuilt when their data is read again.
    let announcement = RwSignal::new(None::<Announcement>);
    // Bumped when a decided request changes someone's access.
    let members_changed = RwSignal::new(0u32);

    view! {
        <PageTitle text="Billing access" />
        <div class="page">
            <header class="page__header">
                <h1 class="page__title">"Billing access"</h1>
                <p class="page__lead">
                    {move || {
                        format!(
                            "Who can see and change billing for {}, requests for access, and who may cancel.",
                            account_name.get(),
                        )
                    }}
                </p>
            </header>
            <AccessChangedNotice />
            <AnnouncementRegion announcement />
            {move || {
                if !can_read.get() {
                    return view! { <RestrictedNotice title=NO_ACCESS_TITLE message=NO_ACCESS_MESSAGE /> }
                        .into_any();
                }
                view! {
                    <MembersSection can_grant announcement members_changed />
                    {move || {
                        can_grant.get().then(|| view! { <RequestsSection announcement members_changed /> })
                    }}
                    <PolicySection can_set=can_set_policy announcement />
                }
                    .into_any()
            }}
        </div>
    }
}

/// "People": `GET /api/members` in a table.
#[component]
fn MembersSection(
    can_grant: Memo<bool>,
    announcement: RwSignal<Option<Announcement>>,
    members_changed: RwSignal<u32>,
) -> impl IntoView {
    let members = LocalResource::new(move || {
        members_changed.track();
        api::members()
    });
    use_access_watch().resource(members);
    let (pending, set_pending) = signal(false);
    view! {
        <section class="card card--flush" aria-labelledby="people-heading">
            <header class="card__header card__header--padded">
                <h2 class="card__title" id="people-heading">
                    "People"
                </h2>
                <p class="muted">
                    "Owners and admins manage billing through their role. Members see billing only with access: \"View billing (read)\" to see plans and invoices, \"Manage billing\" to also change the subscription and payment method. Only the owner can cancel or grant access."
                </p>
                {move || {
                    (!can_grant.get())
                        .then(|| {
                            view! { <p class="read-only-note">"Only the owner can change billing access."</p> }
                        })
                }}
            </header>
            <div aria-busy=move || pending.get().to_string()>
                <LoadingRegion
                    label="Loading people…"
                    error_title="We couldn't load the account's people"
                    on_retry=Callback::new(move |_| members.refetch())
                    set_pending
                >
                    {move || Suspend::new(async move {
                        match members.await {
                            Ok(list) => {
                                Ok(
                                    view! { <MembersTable members=list.data can_grant announcement /> }
                                        .into_any(),
                                )
                            }
                            Err(e) if e.is_forbidden() => {
                                Ok(
                                    view! {
                                        <p class="empty-state table-error">
                                            "You can no longer see who has billing access."
                                        </p>
                                    }
                                        .into_any(),
                                )
                            }
                            Err(e) => Err(e),
                        }
                    })}
                </LoadingRegion>
            </div>
        </section>
    }
}

/// "Access requests" (owner): `GET /api/access-requests`.
#[component]
fn RequestsSection(
    announcement: RwSignal<Option<Announcement>>,
    members_changed: RwSignal<u32>,
) -> impl IntoView {
    let requests = LocalResource::new(api::access_requests);
    use_access_watch().resource(requests);
    let heading_ref = NodeRef::<leptos::html::H2>::new();
    let on_decided = Callback::new(move |_| {
        members_changed.update(|n| *n += 1);
        requests.refetch();
    });
    view! {
        <section class="card" aria-labelledby="requests-heading">
            <header class="card__header">
                <h2 class="card__title" id="requests-heading" tabindex="-1" node_ref=heading_ref>
                    "Access requests"
                </h2>
                <p class="muted">"Members who asked you for billing access. They're emailed when you decide."</p>
            </header>
            <LoadingRegion
                label="Loading access requests…"
                error_title="We couldn't load the access requests"
                on_retry=Callback::new(move |_| requests.refetch())
            >
                {move || Suspend::new(async move {
                    match requests.await {
                        Ok(list) => {
                            Ok(
                                view! {
                                    <AccessRequestsList
                                        requests=list.data
                                        announcement
                                        on_decided
                                        heading_ref
                                    />
                                }
                                    .into_any(),
                            )
                        }
                        Err(e) if e.is_forbidden() => Ok(().into_any()),
                        Err(e) => Err(e),
                    }
                })}
            </LoadingRegion>
        </section>
    }
}

/// "Cancellation policy": `GET /api/account`.
#[component]
fn PolicySection(
    can_set: Memo<bool>,
    announcement: RwSignal<Option<Announcement>>,
) -> impl IntoView {
    let account = LocalResource::new(api::account);
    view! {
        <section class="card" aria-labelledby="policy-heading">
            <header class="card__header">
                <h2 class="card__title" id="policy-heading">
                    "Cancellation policy"
                </h2>
            </header>
            <LoadingRegion
                label="Loading the policy…"
                error_title="We couldn't load the cancellation policy"
                on_retry=Callback::new(move |_| account.refetch())
            >
                {move || Suspend::new(async move {
                    account
                        .await
                        .map(|account| view! { <AccountPolicyCard account can_set announcement /> })
                })}
            </LoadingRegion>
        </section>
    }
}
