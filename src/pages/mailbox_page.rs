//! The dev mailbox: every e-mail the billing service sent to the account,
//! readable in the browser on dev and test servers. Production has no such
//! page.

use crate::api;
use crate::components::loading_region::LoadingRegion;
use crate::components::loading_view::LoadingView;
use crate::components::not_found_notice::NotFoundNotice;
use crate::components::page_title::PageTitle;
use crate::format;
use crate::state::server_mode::{use_server_mode, ServerMode};
use billing_domain::wire::Email;
use leptos::prelude::*;

/// `/dev/mailbox`.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let mode = use_server_mode();
    move || match mode.get() {
        ServerMode::Checking => view! { <LoadingView label="Checking the server…" /> }.into_any(),
        ServerMode::Production => view! { <MailboxNotFound /> }.into_any(),
        // When the health check failed, the mailbox endpoint itself says
        // whether it exists.
        ServerMode::Development | ServerMode::Unknown(_) => view! { <Mailbox /> }.into_any(),
    }
}

/// What production shows at this address.
#[component]
fn MailboxNotFound() -> impl IntoView {
    view! {
        <PageTitle text="Page not found" />
        <NotFoundNotice
            title="Page not found"
            message="The page you were looking for doesn't exist or has moved."
            back_href="/billing"
            back_label="Go to Plans & Billing"
        />
    }
}

/// The mailbox, from `GET /api/dev/mailbox`, with "Refresh".
#[component]
fn Mailbox() -> impl IntoView {
    let mailbox = LocalResource::new(api::dev_mailbox);
    let (pending, set_pending) = signal(false);

    view! {
        <PageTitle text="Dev mailbox" />
        <div class="page">
            <header class="page__header page__header--split">
                <div>
                    <h1 class="page__title">"Dev mailbox"</h1>
                    <p class="page__lead">
                        "E-mails the billing service sent to your account, newest first. Only development and test servers have this page."
                    </p>
                </div>
                <div class="page__actions">
                    <button
                        type="button"
                        class="button button--secondary"
                        disabled=move || pending.get()
                        on:click=move |_| mailbox.refetch()
                    >
                        {move || if pending.get() { "Refreshing…" } else { "Refresh" }}
                    </button>
                </div>
            </header>
            <div aria-busy=move || pending.get().to_string()>
                <LoadingRegion
                    label="Loading the mailbox…"
                    error_title="We couldn't load the mailbox"
                    on_retry=Callback::new(move |_| mailbox.refetch())
                    set_pending
                >
                    {move || Suspend::new(async move {
                        match mailbox.await {
                            Ok(list) => Ok(view! { <EmailList emails=list.data /> }.into_any()),
                            Err(e) if e.status == Some(404) => {
                                Ok(view! { <MailboxNotFound /> }.into_any())
                            }
                            Err(e) => Err(e),
                        }
                    })}
                </LoadingRegion>
            </div>
        </div>
    }
}

/// The e-mails; each opens to show its body.
#[component]
fn EmailList(emails: Vec<Email>) -> impl IntoView {
    let count = match emails.len() {
        0 => "No e-mails yet.".to_string(),
        1 => "1 e-mail".to_string(),
        n => format!("{n} e-mails"),
    };
    view! {
        <p class="muted" role="status">
            {count}
        </p>
        <ul class="mailbox">
            {emails
                .into_iter()
                .map(|email| {
                    view! {
                        <li class="mailbox__item">
                            <details class="mailbox__email">
                                <summary class="mailbox__summary">
                                    <span class="mailbox__subject">{email.subject}</span>
                                    <span class="mailbox__meta">
                                        <span>{format!("To {}", email.to)}</span>
                                        <span>{format::date_time(email.created_at)}</span>
                                        <span class="tag">{email.kind}</span>
                                    </span>
                                </summary>
                                <pre class="mailbox__body">{email.body}</pre>
                            </details>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
