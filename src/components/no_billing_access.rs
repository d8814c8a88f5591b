//! Shown instead of billing to users without `billing:read`: who manages
//! billing for the account, so they know whom to ask, and a way to ask the
//! owner for access.

use crate::api;
use crate::components::billing_contacts_list::BillingContactsList;
use crate::components::loading_region::LoadingRegion;
use crate::components::request_access::RequestAccess;
use leptos::prelude::*;

/// "You don't have access to billing", with the account's billing contacts.
#[component]
pub fn NoBillingAccess(
    /// The account's name, as the session reports it.
    #[prop(into)]
    account_name: Signal<String>,
) -> impl IntoView {
    let contacts = LocalResource::new(api::billing_contacts);
    view! {
        <section class="card card--notice" aria-labelledby="no-access-heading">
            <span class="notice-icon" aria-hidden="true">
                <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <rect x="4" y="11" width="16" height="10" rx="2" />
                    <path d="M8 11V7a4 4 0 0 1 8 0v4" />
                </svg>
            </span>
            <h2 class="card__title" id="no-access-heading">
                "You don't have access to billing"
            </h2>
            <p>{move || format!("Billing for {} is managed by:", account_name.get())}</p>
            <LoadingRegion
                label="Loading contacts…"
                error_title="We couldn't load the billing contacts"
                on_retry=Callback::new(move |_| contacts.refetch())
            >
                {move || Suspend::new(async move {
                    contacts
                        .await
                        .map(|list| view! { <BillingContactsList contacts=list.data /> })
                })}
            </LoadingRegion>
            <p>"Ask one of them to give you billing access."</p>
            <RequestAccess />
        </section>
    }
}
