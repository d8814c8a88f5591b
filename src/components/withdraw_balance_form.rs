//! "Withdraw credit balance": the owner asks the billing team to pay out the
//! account's credit balance (SPEC §6), with an optional note.

use crate::api::cancel as cancel_api;
use billing_domain::wire::WizardStepRequest;
use billing_domain::Money;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The balance, a "Withdraw credit balance" button that opens the note, and
/// the outcome. Only for users with `account:refund` (the owner).
#[component]
pub fn WithdrawBalanceForm(
    /// The account's credit balance (more than zero).
    balance: Money,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let note_ref = NodeRef::<leptos::html::Textarea>::new();
    let toggle_ref = NodeRef::<leptos::html::Button>::new();

    let send = Action::new_local(move |note: &String| {
        let note = note.trim().to_string();
        async move {
            let body = WizardStepRequest {
                session_id: None,
                note: (!note.is_empty()).then_some(note),
            };
            cancel_api::withdraw_balance(&body).await
        }
    });
    let pending = send.pending();
    let sent = move || matches!(send.value().get(), Some(Ok(())));
    let error = Memo::new(move |_| match send.value().get() {
        Some(Err(e)) if !pending.get() => Some(e),
        _ => None,
    });
    let note_error = move || error.get().and_then(|e| e.message_for("note"));
    let form_error = move || error.get().and_then(|e| e.message_except(&["note"]));

    // Opening the form puts the cursor in the note; sending closes it.
    Effect::new(move |_| {
        if open.get() {
            if let Some(textarea) = note_ref.get() {
                let _ = textarea.focus();
            }
        }
    });
    // Closing without sending gives the focus back to the button.
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if was_open == Some(true) && !is_open && !sent() {
            request_animation_frame(move || {
                if let Some(button) = toggle_ref.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
        is_open
    });
    Effect::new(move |_| {
        if sent() {
            open.set(false);
            note.set(String::new());
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            send.dispatch(note.get_untracked());
        }
    };

    view! {
        <div class="withdraw">
            <p>
                {format!(
                    "Your credit balance of {} is applied to your next invoices automatically. You can also ask the billing team to pay it out.",
                    balance.format(),
                )}
            </p>
            <div class="form-outcome" role="status" aria-live="polite">
                {move || {
                    sent()
                        .then(|| {
                            view! {
                                <p class="banner banner--success">
                                    "Your request was sent to the billing team."
                                </p>
                            }
                        })
                }}
            </div>
            {move || {
                form_error()
                    .map(|message| {
                        view! {
                            <p class="banner banner--error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
            {move || {
                (!open.get() && !sent())
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button button--secondary"
                                aria-expanded="false"
                                aria-controls="withdraw-form"
                                node_ref=toggle_ref
                                on:click=move |_| open.set(true)
                            >
                                "Withdraw credit balance"
                            </button>
                        }
                    })
            }}
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <form id="withdraw-form" class="form withdraw__form" novalidate on:submit=on_submit>
                                <div class="field">
                                    <label class="field__label" for="withdraw-note">
                                        "Note for the billing team (optional)"
                                    </label>
                                    <textarea
                                        id="withdraw-note"
                                        class="input textarea"
                                        rows="3"
                                        maxlength="1000"
                                        node_ref=note_ref
                                        prop:value=move || note.get()
                                        on:input=move |ev| note.set(event_target_value(&ev))
                                        aria-invalid=move || note_error().map(|_| "true")
                                        aria-describedby=move || {
                                            note_error().map(|_| "withdraw-note-error")
                                        }
                                    ></textarea>
                                    {move || {
                                        note_error()
                                            .map(|message| {
                                                view! {
                                                    <p class="field__error" id="withdraw-note-error">
                                                        {message}
                                                    </p>
                                                }
                                            })
                                    }}
                                </div>
                                <div class="form-actions">
                                    <button
                                        type="submit"
                                        class="button button--primary"
                                        disabled=move || pending.get()
                                    >
                                        {move || if pending.get() { "Sending…" } else { "Send request" }}
                                    </button>
                                    <button
                                        type="button"
                                        class="button button--secondary"
                                        on:click=move |_| open.set(false)
                                    >
                                        "Close"
                                    </button>
                                </div>
                            </form>
                        }
                    })
            }}
        </div>
    }
}
