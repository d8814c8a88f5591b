//! Sign-in & security: changing the password and signing out of the other
//! sessions, for every signed-in user.

use crate::components::card::Card;
use crate::components::change_password_form::ChangePasswordForm;
use crate::components::other_sessions_card::OtherSessionsCard;
use crate::components::page_title::PageTitle;
use leptos::prelude::*;

/// `/account/security`.
#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    view! {
        <PageTitle text="Sign-in & security" />
        <div class="page">
            <header class="page__header">
                <h1 class="page__title">"Sign-in & security"</h1>
                <p class="page__lead">"Your password, and where you are signed in."</p>
            </header>
            <div class="page__stack">
                <Card title="Password" heading_id="password-heading">
                    <ChangePasswordForm />
                </Card>
                <OtherSessionsCard />
            </div>
        </div>
    }
}
