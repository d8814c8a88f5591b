//! The form for a new card: number (grouped as it is typed, with its brand
//! named), expiry and security code, each checked with the domain's card
//! rules before anything is sent. Then the gateway tokenizes it and the API
//! saves the token as the default, retrying any unpaid invoice.

use crate::api;
use crate::clock;
use crate::format;
use billing_domain::card;
use billing_domain::invoice::InvoiceStatus;
use billing_domain::wire::{
    AttachPaymentMethodRequest, CardBrand, CardTokenRequest, PaymentMethodResult, RetriedInvoice,
};
use chrono::{DateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

/// The most digits any accepted card number has.
const MAX_DIGITS: usize = 19;

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Number,
    Expiry,
    Cvc,
}

impl Field {
    fn input_id(self) -> &'static str {
        match self {
            Field::Number => "card-number",
            Field::Expiry => "card-expiry",
            Field::Cvc => "card-cvc",
        }
    }

    fn error_id(self) -> &'static str {
        match self {
            Field::Number => "card-number-error",
            Field::Expiry => "card-expiry-error",
            Field::Cvc => "card-cvc-error",
        }
    }

    /// The field an API error's `param` is about; one input holds both
    /// expiry parameters.
    fn of_param(param: &str) -> Option<Field> {
        match param {
            "number" => Some(Field::Number),
            "exp_month" | "exp_year" => Some(Field::Expiry),
            "cvc" => Some(Field::Cvc),
            _ => None,
        }
    }
}

/// A message beside each field that has one.
#[derive(Debug, Clone, Default, PartialEq)]
struct FieldErrors {
    number: Option<String>,
    expiry: Option<String>,
    cvc: Option<String>,
}

impl FieldErrors {
    fn slot(&mut self, field: Field) -> &mut Option<String> {
        match field {
            Field::Number => &mut self.number,
            Field::Expiry => &mut self.expiry,
            Field::Cvc => &mut self.cvc,
        }
    }

    fn get(&self, field: Field) -> Option<String> {
        match field {
            Field::Number => self.number.clone(),
            Field::Expiry => self.expiry.clone(),
            Field::Cvc => self.cvc.clone(),
        }
    }
}

/// The values typed so far.
#[derive(Debug, Clone, Default, PartialEq)]
struct CardInput {
    number: String,
    expiry: String,
    cvc: String,
}

impl CardInput {
    fn brand(&self) -> Option<CardBrand> {
        card::brand_of(&digits(&self.number))
    }

    /// The check of one field, with the domain's message when it fails.
    fn check(&self, field: Field, now: DateTime<Utc>) -> Result<(), String> {
        match field {
            Field::Number => card::check_number(&self.number)
                .map(drop)
                .map_err(|e| e.to_string()),
            Field::Expiry => parse_expiry(&self.expiry).and_then(|(month, year)| {
                card::check_expiry(month, year, now).map_err(|e| e.to_string())
            }),
            Field::Cvc => {
                // The code's length depends on the brand; until the number
                // names one, expect the common three digits.
                let brand = self.brand().unwrap_or(CardBrand::Visa);
                card::check_cvc(self.cvc.trim(), brand).map_err(|e| e.to_string())
            }
        }
    }

    /// The request for the gateway, or every field's message.
    fn request(&self, now: DateTime<Utc>) -> Result<CardTokenRequest, FieldErrors> {
        let mut errors = FieldErrors::default();
        for field in [Field::Number, Field::Expiry, Field::Cvc] {
            *errors.slot(field) = self.check(field, now).err();
        }
        match parse_expiry(&self.expiry) {
            Ok((exp_month, exp_year)) if errors == FieldErrors::default() => Ok(CardTokenRequest {
                number: digits(&self.number),
                exp_month,
                exp_year,
                cvc: self.cvc.trim().to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// The card form. `on_saved` runs after the card became the default.
#[component]
pub fn NewCardForm(
    /// Called with the API's answer once the card is saved (the page then
    /// re-reads the overview so the current card and banner update).
    #[prop(into)]
    on_saved: Callback<PaymentMethodResult>,
) -> impl IntoView {
    let input = RwSignal::new(CardInput::default());
    let errors = RwSignal::new(FieldErrors::default());
    let number_ref = NodeRef::<leptos::html::Input>::new();
    let expiry_ref = NodeRef::<leptos::html::Input>::new();
    let cvc_ref = NodeRef::<leptos::html::Input>::new();
    let focus = move |field: Field| {
        let target = match field {
            Field::Number => number_ref.get(),
            Field::Expiry => expiry_ref.get(),
            Field::Cvc => cvc_ref.get(),
        };
        if let Some(element) = target {
            let _ = element.focus();
        }
    };

    let save = Action::new_local(move |card: &CardTokenRequest| {
        let card = card.clone();
        async move {
            let token = api::create_card_token(&card).await?;
            api::attach_payment_method(&AttachPaymentMethodRequest { token: token.token }).await
        }
    });
    let pending = save.pending();

    // The outcome: a field the API refused gets its message and the focus;
    // a saved card clears the form and tells the page.
    Effect::new(move |_| match save.value().get() {
        Some(Ok(result)) => {
            input.set(CardInput::default());
            errors.set(FieldErrors::default());
            on_saved.run(result);
        }
        Some(Err(e)) => {
            if let Some(field) = e.param.as_deref().and_then(Field::of_param) {
                errors.update(|errors| *errors.slot(field) = Some(e.message.clone()));
                focus(field);
            }
        }
        None => {}
    });

    let form_error = move || match save.value().get() {
        Some(Err(e))
            if !pending.get() && e.param.as_deref().and_then(Field::of_param).is_none() =>
        {
            Some(e)
        }
        _ => None,
    };
    let saved = move || match save.value().get() {
        Some(Ok(result)) if !pending.get() => Some(result),
        _ => None,
    };

    // Checks a field when the user leaves it (if they typed anything), and
    // again on each keystroke once it shows a message, so the message goes
    // away as soon as it is fixed.
    let check_on_blur = move |field: Field| {
        let value_empty = input.with_untracked(|i| match field {
            Field::Number => i.number.is_empty(),
            Field::Expiry => i.expiry.is_empty(),
            Field::Cvc => i.cvc.is_empty(),
        });
        if value_empty {
            return;
        }
        let message = input.with_untracked(|i| i.check(field, clock::now()).err());
        errors.update(|errors| *errors.slot(field) = message);
    };
    let recheck_if_flagged = move |field: Field| {
        if errors.with_untracked(|errors| errors.get(field).is_some()) {
            let message = input.with_untracked(|i| i.check(field, clock::now()).err());
            errors.update(|errors| *errors.slot(field) = message);
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        match input.with_untracked(|i| i.request(clock::now())) {
            Ok(request) => {
                errors.set(FieldErrors::default());
                save.dispatch(request);
            }
            Err(found) => {
                let first = [Field::Number, Field::Expiry, Field::Cvc]
                    .into_iter()
                    .find(|field| found.get(*field).is_some());
                errors.set(found);
                if let Some(field) = first {
                    focus(field);
                }
            }
        }
    };

    let brand_label = move || input.with(|i| i.brand().map(|brand| brand.label()));
    let cvc_hint = move || {
        if input.with(|i| i.brand()) == Some(CardBrand::Amex) {
            "4 digits on the front of the card"
        } else {
            "3 digits on the back of the card"
        }
    };
    let error_of = move |field: Field| move || errors.with(|errors| errors.get(field));
    let invalid =
        move |field: Field| move || errors.with(|e| e.get(field).is_some()).then_some("true");
    let described_by = move |field: Field, extra: &'static str| {
        move || {
            let mut ids = vec![extra];
            if errors.with(|e| e.get(field).is_some()) {
                ids.push(field.error_id());
            }
            ids.join(" ")
        }
    };

    view! {
        // Announced politely when a card was saved; the decline, below, is
        // an alert.
        <div class="form-outcome" role="status" aria-live="polite">
            {move || saved().map(|result| view! { <SavedCardMessage result /> })}
        </div>
        {move || {
            form_error()
                .map(|e| {
                    view! {
                        <div class="banner banner--error" role="alert">
                            <p class="banner__title">{e.message}</p>
                            {(e.kind == "card_error")
                                .then(|| {
                                    view! {
                                        <p>"Nothing was changed. Check the details or try another card."</p>
                                    }
                                })}
                        </div>
                    }
                })
        }}
        // The domain's checks run here; the browser's own would hide them.
        <form class="form card-form" novalidate on:submit=on_submit>
            <div class="field">
                <label class="field__label" for=Field::Number.input_id()>
                    "Card number"
                </label>
                <div class="card-field">
                    <input
                        id=Field::Number.input_id()
                        name="cardnumber"
                        type="text"
                        class="input card-field__input"
                        inputmode="numeric"
                        autocomplete="cc-number"
                        placeholder="1234 1234 1234 1234"
                        maxlength="23"
                        spellcheck="false"
                        node_ref=number_ref
                        prop:value=move || input.with(|i| i.number.clone())
                        on:input=move |ev| {
                            let element = event_target::<HtmlInputElement>(&ev);
                            let formatted = regroup_card_number(&element);
                            input.update(|i| i.number = formatted);
                            recheck_if_flagged(Field::Number);
                        }
                        on:blur=move |_| check_on_blur(Field::Number)
                        aria-invalid=invalid(Field::Number)
                        aria-describedby=described_by(Field::Number, "card-brand")
                    />
                    <span
                        id="card-brand"
                        class="card-field__brand"
                        class:card-field__brand--shown=move || brand_label().is_some()
                        role="status"
                        aria-live="polite"
                        aria-label="Card brand"
                    >
                        {brand_label}
                    </span>
                </div>
                {move || {
                    error_of(Field::Number)()
                        .map(|message| {
                            view! {
                                <p class="field__error" id=Field::Number.error_id()>
                                    {message}
                                </p>
                            }
                        })
                }}
            </div>
            <div class="form-row">
                <div class="field">
                    <label class="field__label" for=Field::Expiry.input_id()>
                        "Expiry (MM/YY)"
                    </label>
                    <input
                        id=Field::Expiry.input_id()
                        name="cc-exp"
                        type="text"
                        class="input"
                        inputmode="numeric"
                        autocomplete="cc-exp"
                        placeholder="MM/YY"
                        maxlength="7"
                        node_ref=expiry_ref
                        prop:value=move || input.with(|i| i.expiry.clone())
                        on:input=move |ev| {
                            let formatted = format_expiry(&event_target_value(&ev));
                            input.update(|i| i.expiry = formatted);
                            recheck_if_flagged(Field::Expiry);
                        }
                        on:blur=move |_| check_on_blur(Field::Expiry)
                        aria-invalid=invalid(Field::Expiry)
                        aria-describedby=move || {
                            errors.with(|e| e.expiry.is_some()).then_some(Field::Expiry.error_id())
                        }
                    />
                    {move || {
                        error_of(Field::Expiry)()
                            .map(|message| {
                                view! {
                                    <p class="field__error" id=Field::Expiry.error_id()>
                                        {message}
                                    </p>
                                }
                            })
                    }}
                </div>
                <div class="field">
                    <label class="field__label" for=Field::Cvc.input_id()>
                        "Security code"
                    </label>
                    <input
                        id=Field::Cvc.input_id()
                        name="cvc"
                        type="text"
                        class="input"
                        inputmode="numeric"
                        autocomplete="cc-csc"
                        placeholder="CVC"
                        maxlength="4"
                        node_ref=cvc_ref
                        prop:value=move || input.with(|i| i.cvc.clone())
                        on:input=move |ev| {
                            let typed: String = event_target_value(&ev)
                                .chars()
                                .filter(char::is_ascii_digit)
                                .take(4)
                                .collect();
                            input.update(|i| i.cvc = typed);
                            recheck_if_flagged(Field::Cvc);
                        }
                        on:blur=move |_| check_on_blur(Field::Cvc)
                        aria-invalid=invalid(Field::Cvc)
                        aria-describedby=described_by(Field::Cvc, "card-cvc-hint")
                    />
                    <p class="field__hint" id="card-cvc-hint">
                        {cvc_hint}
                    </p>
                    {move || {
                        error_of(Field::Cvc)()
                            .map(|message| {
                                view! {
                                    <p class="field__error" id=Field::Cvc.error_id()>
                                        {message}
                                    </p>
                                }
                            })
                    }}
                </div>
            </div>
            <p class="muted">
                "Your new card becomes the default for every future charge, and any unpaid invoice is retried with it right away. We never store the full number or the security code."
            </p>
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save card" }}
                </button>
            </div>
        </form>
    }
}

/// "Your Visa ending in 4242 is now your default payment method.", then what
/// happened to each unpaid invoice it was tried on.
#[component]
fn SavedCardMessage(result: PaymentMethodResult) -> impl IntoView {
    let card = &result.payment_method;
    let headline = format!(
        "Your {} ending in {} is now your default payment method.",
        card.brand.label(),
        card.last4
    );
    let retried = (!result.retried.is_empty()).then(|| {
        view! {
            <ul class="form-outcome__list">
                {result
                    .retried
                    .iter()
                    .map(|invoice| view! { <li>{retry_outcome(invoice)}</li> })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <div class="banner banner--success">
            <p class="banner__title">{headline}</p>
            {retried}
        </div>
    }
}

/// One retried invoice, in a sentence.
fn retry_outcome(invoice: &RetriedInvoice) -> String {
    let what = format!("Invoice {} for {}", invoice.number, invoice.amount.format());
    match (&invoice.error, invoice.status) {
        (Some(reason), _) => format!("{what} could not be paid: {reason}"),
        (None, InvoiceStatus::Paid) => format!("{what} was paid."),
        (None, status) => format!("{what} is {}.", status.label().to_lowercase()),
    }
}

/// The digits of what was typed.
fn digits(typed: &str) -> String {
    typed.chars().filter(char::is_ascii_digit).collect()
}

/// Regroups the card number in `element` as printed on the card, keeping
/// the caret after the same digit, and answers the new value.
fn regroup_card_number(element: &HtmlInputElement) -> String {
    let typed = element.value();
    let caret = element
        .selection_start()
        .ok()
        .flatten()
        .map_or(typed.len(), |at| at as usize);
    let digits_before_caret = typed
        .chars()
        .take(caret)
        .filter(char::is_ascii_digit)
        .count();
    let digits: String = digits(&typed).chars().take(MAX_DIGITS).collect();
    let formatted = format::card_number(&digits, card::brand_of(&digits));
    if formatted != typed {
        element.set_value(&formatted);
        let at = caret_after_digits(&formatted, digits_before_caret) as u32;
        let _ = element.set_selection_range(at, at);
    }
    formatted
}

/// The position just after the `n`th digit of `formatted`.
fn caret_after_digits(formatted: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    formatted
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .nth(n - 1)
        .map_or(formatted.len(), |(at, _)| at + 1)
}

/// The expiry as typed, tidied to `MM/YY` (or `MM/YYYY`): digits only, a
/// slash after the month, and a single-digit month padded when the user
/// typed the slash themselves ("4/" → "04/").
fn format_expiry(typed: &str) -> String {
    let typed = typed.trim();
    let padded = match typed.split_once('/') {
        Some((month, _)) if month.len() == 1 => format!("0{typed}"),
        _ => typed.to_string(),
    };
    let digits: String = digits(&padded).chars().take(6).collect();
    if digits.len() > 2 || padded.contains('/') && digits.len() == 2 {
        format!("{}/{}", &digits[..2], &digits[2..])
    } else {
        digits
    }
}

/// Month and four-digit year from `MM/YY` or `MM/YYYY`.
fn parse_expiry(typed: &str) -> Result<(u32, u32), String> {
    const MESSAGE: &str = "Enter the expiry date as MM/YY.";
    let (month, year) = typed.trim().split_once('/').ok_or(MESSAGE)?;
    let month: u32 = month.trim().parse().map_err(|_| MESSAGE)?;
    let year_text = year.trim();
    let year: u32 = year_text.parse().map_err(|_| MESSAGE)?;
    let year = match year_text.len() {
        2 => 2000 + year,
        4 => year,
        _ => return Err(MESSAGE.into()),
    };
    Ok((month, year))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    #[test]
    fn expiry_is_tidied_as_typed() {
        let cases = [
            ("1", "1"),
            ("12", "12"),
            ("123", "12/3"),
            ("12/34", "12/34"),
            ("1234", "12/34"),
            ("4/", "04/"),
            ("4/27", "04/27"),
            ("12/", "12/"),
            ("12/2034", "12/2034"),
            ("ab", ""),
        ];
        for (typed, shown) in cases {
            assert_eq!(format_expiry(typed), shown, "{typed}");
        }
    }

    #[test]
    fn expiry_years_become_four_digits() {
        assert_eq!(parse_expiry("12/34"), Ok((12, 2034)));
        assert_eq!(parse_expiry("04/2030"), Ok((4, 2030)));
        assert!(parse_expiry("12").is_err());
        assert!(parse_expiry("12/3").is_err());
        assert!(parse_expiry("").is_err());
    }

    #[test]
    fn the_caret_stays_after_the_same_digit() {
        assert_eq!(caret_after_digits("4242 4", 5), 6);
        assert_eq!(caret_after_digits("4242 4242", 4), 4);
        assert_eq!(caret_after_digits("4242", 0), 0);
        assert_eq!(caret_after_digits("4242", 9), 4);
    }

    #[test]
    fn every_field_is_checked_with_the_domain_rules() {
        let good = CardInput {
            number: "4242 4242 4242 4242".into(),
            expiry: "12/34".into(),
            cvc: "123".into(),
        };
        let request = good.request(now()).unwrap();
        assert_eq!(
            (request.number.as_str(), request.exp_month, request.exp_year),
            ("4242424242424242", 12, 2034)
        );

        let bad = CardInput {
            number: "4242 4242 4242 4241".into(),
            expiry: "10/26".into(),
            cvc: "12".into(),
        };
        let errors = bad.request(now()).unwrap_err();
        assert_eq!(
            errors.number.as_deref(),
            Some("The card number is incomplete or has a typo.")
        );
        assert_eq!(errors.expiry.as_deref(), Some("This card has expired."));
        assert_eq!(
            errors.cvc.as_deref(),
            Some("The security code should be 3 digits.")
        );

        let amex = CardInput {
            number: "3782 822463 10005".into(),
            expiry: "12/34".into(),
            cvc: "123".into(),
        };
        assert_eq!(
            amex.request(now()).unwrap_err().cvc.as_deref(),
            Some("The security code should be 4 digits.")
        );
    }

    #[test]
    fn retries_read_as_sentences() {
        let usd = billing_domain::Currency::parse("USD").unwrap();
        let paid = RetriedInvoice {
            invoice_id: "in_1".into(),
            number: "INV-00002".into(),
            amount: billing_domain::Money::new(166_800, usd),
            status: InvoiceStatus::Paid,
            error: None,
        };
        assert_eq!(
            retry_outcome(&paid),
            "Invoice INV-00002 for $1,668.00 was paid."
        );
        let declined = RetriedInvoice {
            status: InvoiceStatus::Open,
            error: Some("Your card was declined.".into()),
            ..paid
        };
        assert_eq!(
            retry_outcome(&declined),
            "Invoice INV-00002 for $1,668.00 could not be paid: Your card was declined."
        );
    }
}
