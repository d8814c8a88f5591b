//! When Plans & Billing must read the overview again: a component that
//! changed the subscription in place ("Resume subscription") bumps the
//! revision, and every part of the page that reads
//! `GET /api/billing/overview` tracks it and loads afresh.

use leptos::prelude::*;

/// The overview-revision context: a counter, bumped after each change.
#[derive(Debug, Clone, Copy)]
pub struct OverviewRevision(RwSignal<u32>);

impl OverviewRevision {
    /// Subscribes the current reactive scope (a resource's fetcher) to the
    /// revision, so it runs again after [`OverviewRevision::bump`].
    pub fn track(&self) {
        self.0.track();
    }

    /// Says the subscription changed: every tracking resource reloads.
    pub fn bump(&self) {
        self.0.update(|n| *n = n.wrapping_add(1));
    }
}

/// Creates the overview-revision context for the page being built.
pub fn provide_overview_revision() -> OverviewRevision {
    let revision = OverviewRevision(RwSignal::new(0));
    provide_context(revision);
    revision
}

/// The overview-revision context, or a new one for this part of the page
/// when none was provided (then a bump reloads only what is below it).
pub fn use_overview_revision() -> OverviewRevision {
    use_context::<OverviewRevision>().unwrap_or_else(provide_overview_revision)
}
