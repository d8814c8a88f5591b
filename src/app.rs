//! The one route table, and the frame every signed-in page shares.

use crate::components::app_layout::AppLayout;
use crate::pages::account_security_page::AccountSecurityPage;
use crate::pages::audit_log_page::AuditLogPage;
use crate::pages::billing_access_page::BillingAccessPage;
use crate::pages::billing_page::BillingPage;
use crate::pages::cancel_confirm_page::CancelConfirmPage;
use crate::pages::cancel_consequences_page::CancelConsequencesPage;
use crate::pages::cancel_customer_success_page::CancelCustomerSuccessPage;
use crate::pages::cancel_done_page::CancelDonePage;
use crate::pages::cancel_kept_page::CancelKeptPage;
use crate::pages::cancel_offers_page::CancelOffersPage;
use crate::pages::cancel_page::{CancelStartPage, CancelWizardPage};
use crate::pages::cancel_pause_page::CancelPausePage;
use crate::pages::cancel_reason_page::CancelReasonPage;
use crate::pages::invoice_page::InvoicePage;
use crate::pages::invoices_page::InvoicesPage;
use crate::pages::mailbox_page::MailboxPage;
use crate::pages::not_found_page::NotFoundPage;
use crate::pages::payment_page::PaymentPage;
use crate::pages::refund_page::RefundPage;
use crate::pages::sign_in_page::SignInPage;
use crate::pages::subscription_page::SubscriptionPage;
use crate::state::catalog::provide_catalog;
use crate::state::server_mode::provide_server_mode;
use crate::state::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, NavigateOptions};

/// The whole app: session, server-mode and catalog contexts, and routes. Pages
/// inside `AppLayout` require a session; the server answers every unknown
/// path with `index.html`, so each route survives a reload.
#[component]
pub fn App() -> impl IntoView {
    provide_session();
    provide_server_mode();
    provide_catalog();

    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/sign-in") view=SignInPage />
                <Route path=path!("/") view=HomeRedirect />
                <ParentRoute path=path!("") view=AppLayout>
                    <Route path=path!("/billing") view=BillingPage />
                    <Route path=path!("/billing/subscription") view=SubscriptionPage />
                    <Route path=path!("/billing/payment") view=PaymentPage />
                    <Route path=path!("/billing/invoices") view=InvoicesPage />
                    <Route path=path!("/billing/invoices/:id") view=InvoicePage />
                    <Route path=path!("/billing/refund") view=RefundPage />
                    <Route path=path!("/billing/cancel") view=CancelStartPage />
                    <Route path=path!("/billing/cancel/:session/done") view=CancelDonePage />
                    <Route path=path!("/billing/cancel/:session/kept") view=CancelKeptPage />
                    <ParentRoute path=path!("/billing/cancel/:session") view=CancelWizardPage>
                        <Route path=path!("/reason") view=CancelReasonPage />
                        <Route path=path!("/offers") view=CancelOffersPage />
                        <Route path=path!("/pause") view=CancelPausePage />
                        <Route path=path!("/consequences") view=CancelConsequencesPage />
                        <Route path=path!("/confirm") view=CancelConfirmPage />
                        <Route path=path!("/customer-success") view=CancelCustomerSuccessPage />
                    </ParentRoute>
                    <Route path=path!("/billing/access") view=BillingAccessPage />
                    <Route path=path!("/billing/audit") view=AuditLogPage />
                    <Route path=path!("/account/security") view=AccountSecurityPage />
                    <Route path=path!("/dev/mailbox") view=MailboxPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// `/` is Plans & Billing; replaced in history so "Back" skips it.
#[component]
fn HomeRedirect() -> impl IntoView {
    view! {
        <Redirect
            path="/billing"
            options=NavigateOptions {
                replace: true,
                ..Default::default()
            }
        />
    }
}
