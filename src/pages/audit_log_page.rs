//! Audit log: who changed what in billing and when, with the amounts,
//! newest first. For the owner and admins (`audit:read`).

use crate::api;
use crate::components::audit_log_list::{AuditLogList, PAGE_SIZE};
use crate::components::loading_region::LoadingRegion;
use crate::components::page_title::PageTitle;
use crate::components::restricted_notice::RestrictedNotice;
use crate::state::access_change::use_access_watch;
use crate::state::catalog::use_catalog;
use crate::state::session::use_session;
use billing_domain::Permission;
use leptos::prelude::*;

const NO_ACCESS_TITLE: &str = "You don't have access to the audit log";
const NO_ACCESS_MESSAGE: &str =
    "Only the account owner and admins can read the audit log. Ask the owner if you need to know who changed something.";

/// `/billing/audit`.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let session = use_session();
    let can_read = Memo::new(move |_| session.with(|s| s.can(Permission::AuditRead)));
    view! {
        <PageTitle text="Audit log" />
        <div class="page">
            <header class="page__header">
                <h1 class="page__title">"Audit log"</h1>
                <p class="page__lead">
                    "Who changed what in billing, and when: plan and seat changes with their amounts, payments, and changes to billing access. Newest first."
                </p>
            </header>
            {move || {
                if can_read.get() {
                    view! { <AuditLogSection /> }.into_any()
                } else {
                    view! { <RestrictedNotice title=NO_ACCESS_TITLE message=NO_ACCESS_MESSAGE /> }
                        .into_any()
                }
            }}
        </div>
    }
}

/// The first page of `GET /api/audit-log`; a 403 (the user's role changed)
/// shows the same notice as a missing `audit:read`.
#[component]
fn AuditLogSection() -> impl IntoView {
    let log = LocalResource::new(|| api::audit::audit_log(PAGE_SIZE, None));
    use_access_watch().resource(log);
    let catalog = use_catalog();
    let (pending, set_pending) = signal(false);
    view! {
        <div aria-busy=move || pending.get().to_string()>
            <LoadingRegion
                label="Loading the audit log…"
                error_title="We couldn't load the audit log"
                on_retry=Callback::new(move |_| {
                    catalog.retry();
                    log.refetch();
                })
                set_pending
            >
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(first_page) => {
                            let catalog = catalog.get().await?;
                            Ok(view! { <AuditLogList first_page catalog /> }.into_any())
                        }
                        Err(e) if e.is_forbidden() => {
                            Ok(
                                view! {
                                    <RestrictedNotice title=NO_ACCESS_TITLE message=NO_ACCESS_MESSAGE />
                                }
                                    .into_any(),
                            )
                        }
                        Err(e) => Err(e),
                    }
                })}
            </LoadingRegion>
        </div>
    }
}
