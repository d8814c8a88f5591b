//! The people who manage billing for the account, with how to reach them.

use billing_domain::wire::BillingContact;
use leptos::prelude::*;

/// A list of billing contacts: name, role and email (a `mailto:` link).
#[component]
pub fn BillingContactsList(
    /// The owner and admins of the account.
    contacts: Vec<BillingContact>,
) -> impl IntoView {
    view! {
        <ul class="contact-list">
            {contacts
                .into_iter()
                .map(|contact| {
                    let mailto = format!("mailto:{}", contact.email);
                    view! {
                        <li class="contact">
                            <span class="avatar avatar--muted" aria-hidden="true">
                                {contact.name.chars().next().map(|c| c.to_uppercase().to_string())}
                            </span>
                            <span class="contact__text">
                                <span class="contact__name">{contact.name}</span>
                                <span class="contact__role">{contact.role.label()}</span>
                            </span>
                            <a class="contact__email" href=mailto>
                                {contact.email}
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
