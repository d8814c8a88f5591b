//! The audit log as people read it: each entry a sentence ("Olivia Owner
//! changed seats from 12 to 15 — charged $208.50") with its time, newest
//! first, and "Load more" for older pages. The sentences are in
//! [`describe`](mod@describe).

mod describe;
#[cfg(test)]
mod tests;

pub use describe::describe;

use crate::api::{self, ApiError};
use crate::components::load_more_footer::LoadMoreFooter;
use crate::focus::focus_after_render;
use crate::format;
use crate::state::catalog::Catalog;
use billing_domain::wire::{AuditLog, AuditLogEntry};
use leptos::prelude::*;

/// How many entries one page holds.
pub const PAGE_SIZE: u32 = 25;

/// The list of entries, starting with `first_page`.
#[component]
pub fn AuditLogList(
    /// The first page of `GET /api/audit-log`.
    first_page: AuditLog,
    /// The catalog, for the names of plans and add-ons.
    catalog: Catalog,
) -> impl IntoView {
    if first_page.data.is_empty() {
        return view! {
            <div class="card empty-card">
                <p class="empty-state">"Nothing has happened yet."</p>
                <p class="muted">"Changes to the subscription, payments and billing access appear here."</p>
            </div>
        }
        .into_any();
    }

    let entries = RwSignal::new(first_page.data);
    let has_more = RwSignal::new(first_page.has_more);
    let load_more = Action::new_local(move |after: &String| {
        let after = after.clone();
        async move {
            let page = api::audit::audit_log(PAGE_SIZE, Some(&after)).await?;
            // Keyboard users continue from the first entry just loaded.
            let first_new = page.data.first().map(|entry| entry.id.clone());
            entries.update(|entries| entries.extend(page.data));
            has_more.set(page.has_more);
            if let Some(id) = first_new {
                focus_after_render(entry_dom_id(&id));
            }
            Ok::<(), ApiError>(())
        }
    });
    let pending = load_more.pending();
    let error = move || match load_more.value().get() {
        Some(Err(e)) if !pending.get() => Some(e.message),
        _ => None,
    };
    let on_load_more = move |_| {
        if pending.get_untracked() {
            return;
        }
        if let Some(last) = entries.with_untracked(|e| e.last().map(|entry| entry.id.clone())) {
            load_more.dispatch(last);
        }
    };

    view! {
        <div class="card card--flush">
            <ol class="audit-log" aria-label="Audit log entries">
                <For each=move || entries.get() key=|entry| entry.id.clone() let:entry>
                    <AuditLogItem entry catalog=catalog.clone() />
                </For>
            </ol>
            <LoadMoreFooter
                count=Signal::derive(move || entries.with(Vec::len))
                noun=("entry", "entries")
                has_more
                pending
                error=Signal::derive(error)
                on_load_more=Callback::new(on_load_more)
            />
        </div>
    }
    .into_any()
}

/// One entry: who (an initial, or a mark for the system), the sentence and
/// when.
#[component]
fn AuditLogItem(entry: AuditLogEntry, catalog: Catalog) -> impl IntoView {
    let sentence = describe(&catalog, &entry);
    let who = match &entry.actor {
        Some(actor) => view! {
            <span class="avatar avatar--muted" aria-hidden="true">
                {actor.name.chars().next().map(|c| c.to_uppercase().to_string())}
            </span>
        }
        .into_any(),
        None => view! {
            <span class="avatar avatar--system" aria-hidden="true">
                "⟳"
            </span>
        }
        .into_any(),
    };
    let by = match &entry.actor {
        Some(actor) => format!("By {}", actor.name),
        None => "Automatic".to_string(),
    };
    view! {
        <li class="audit-entry" id=entry_dom_id(&entry.id) tabindex="-1">
            {who}
            <div class="audit-entry__text">
                <p class="audit-entry__sentence">{sentence}</p>
                <p class="audit-entry__meta">
                    <time datetime=entry.at.to_rfc3339()>{format::date_time(entry.at)}</time>
                    <span aria-hidden="true">" · "</span>
                    <span class="visually-hidden">", "</span>
                    {by}
                </p>
            </div>
        </li>
    }
}

fn entry_dom_id(id: &str) -> String {
    format!("audit-{id}")
}
