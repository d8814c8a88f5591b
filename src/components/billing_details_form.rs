//! The buyer's billing details on Plans & Billing: the legal name, billing
//! e-mail and CC list, address and tax ID that new invoices are made out
//! to. Users with `billing:manage` change them; readers see them.

use crate::api::{self, ApiError};
use crate::components::announcement::{Announcement, AnnouncementRegion};
use billing_domain::countries;
use billing_domain::wire::{BillingDetails, PostalAddress, UpdateBillingDetailsRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The form's fields, as typed.
#[derive(Debug, Clone, Copy)]
struct Fields {
    legal_name: RwSignal<String>,
    email: RwSignal<String>,
    cc: RwSignal<String>,
    line1: RwSignal<String>,
    line2: RwSignal<String>,
    city: RwSignal<String>,
    region: RwSignal<String>,
    postal_code: RwSignal<String>,
    country: RwSignal<String>,
    tax_id: RwSignal<String>,
}

impl Fields {
    fn new() -> Fields {
        let s = || RwSignal::new(String::new());
        Fields {
            legal_name: s(),
            email: s(),
            cc: s(),
            line1: s(),
            line2: s(),
            city: s(),
            region: s(),
            postal_code: s(),
            country: RwSignal::new("US".into()),
            tax_id: s(),
        }
    }

    fn fill(&self, d: &BillingDetails) {
        self.legal_name.set(d.legal_name.clone());
        self.email.set(d.email.clone());
        self.cc.set(d.cc.join("\n"));
        let a = d.address.clone();
        let get = |f: fn(&PostalAddress) -> String| a.as_ref().map(f).unwrap_or_default();
        self.line1.set(get(|a| a.line1.clone()));
        self.line2.set(get(|a| a.line2.clone().unwrap_or_default()));
        self.city.set(get(|a| a.city.clone()));
        self.region
            .set(get(|a| a.region.clone().unwrap_or_default()));
        self.postal_code.set(get(|a| a.postal_code.clone()));
        if let Some(a) = &a {
            self.country.set(a.country.clone());
        }
        self.tax_id.set(d.tax_id.clone().unwrap_or_default());
    }

    fn request(&self) -> UpdateBillingDetailsRequest {
        let optional = |s: RwSignal<String>| {
            let v = s.get_untracked();
            (!v.trim().is_empty()).then_some(v)
        };
        UpdateBillingDetailsRequest {
            legal_name: self.legal_name.get_untracked(),
            email: self.email.get_untracked(),
            cc: cc_list(&self.cc.get_untracked()),
            address: PostalAddress {
                line1: self.line1.get_untracked(),
                line2: optional(self.line2),
                city: self.city.get_untracked(),
                region: optional(self.region),
                postal_code: self.postal_code.get_untracked(),
                country: self.country.get_untracked(),
            },
            tax_id: optional(self.tax_id),
        }
    }
}

/// The CC addresses typed one a line (or separated by commas).
pub fn cc_list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The field an API refusal is about: `cc[1]` is the CC list's.
pub fn field_of(param: &str) -> &str {
    param.split('[').next().unwrap_or(param)
}

/// One labelled input with its error.
#[component]
fn DetailsField(
    /// The API's name for it (`address.city`), and the input's id.
    name: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<(String, String)>>,
    #[prop(into)] disabled: Signal<bool>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("billing-{}", name.replace('.', "-"));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|(param, _)| field_of(param) == name)
                .map(|(_, m)| m.clone())
        })
    };
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                class="input textarea"
                rows="2"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                disabled=move || disabled.get()
                aria-invalid=move || message().map(|_| "true")
                aria-describedby=described.clone()
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                class="input"
                type="text"
                autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                disabled=move || disabled.get()
                aria-invalid=move || message().map(|_| "true")
                aria-describedby=described
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label class="field__label" for=id>
                {label}
            </label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            {input}
            {move || message().map(|m| view! { <p class="field__error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// The card with the form.
#[component]
pub fn BillingDetailsCard(
    /// Whether the viewer may change the details (`billing:manage`).
    #[prop(into)]
    can_manage: Signal<bool>,
) -> impl IntoView {
    let fields = Fields::new();
    let error = RwSignal::new(None::<(String, String)>);
    let announcement = RwSignal::new(None::<Announcement>);
    let loaded = LocalResource::new(api::documents::billing_details);
    Effect::new(move |_| {
        if let Some(Ok(d)) = loaded.get() {
            fields.fill(&d);
        }
    });
    let save = Action::new_local(move |req: &UpdateBillingDetailsRequest| {
        let req = req.clone();
        async move { api::documents::set_billing_details(&req).await }
    });
    let pending = save.pending();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(d)) => {
            fields.fill(&d);
            error.set(None);
            announcement.set(Some(Announcement::Done(
                "Billing details saved. Your next invoices will show them.".into(),
            )));
        }
        Some(Err(e)) => show_error(e, error, announcement),
        None => {}
    });
    let disabled = Signal::derive(move || !can_manage.get() || pending.get());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() || !can_manage.get_untracked() {
            return;
        }
        announcement.set(None);
        save.dispatch(fields.request());
    };
    let f = fields;
    view! {
        <section class="card billing-details" aria-labelledby="billing-details-heading">
            <h2 class="card__title" id="billing-details-heading">"Billing details"</h2>
            <p class="muted">
                "New invoices are made out to these details; billing e-mails go to the billing e-mail and every CC address. Invoices already issued keep the details they were issued with."
            </p>
            {move || {
                (!can_manage.get())
                    .then(|| {
                        view! {
                            <p class="muted">
                                "Only the owner, admins and members with manage access can change them."
                            </p>
                        }
                    })
            }}
            <form class="form billing-details__form" novalidate on:submit=on_submit aria-labelledby="billing-details-heading">
                <DetailsField name="legal_name" label="Legal name" value=f.legal_name error disabled autocomplete="organization" />
                <DetailsField name="email" label="Billing e-mail" value=f.email error disabled autocomplete="email" />
                <DetailsField
                    name="cc"
                    label="CC (optional)"
                    value=f.cc
                    error
                    disabled
                    multiline=true
                    hint="Up to 10 addresses, one a line."
                />
                <DetailsField name="address.line1" label="Address line 1" value=f.line1 error disabled autocomplete="address-line1" />
                <DetailsField name="address.line2" label="Address line 2 (optional)" value=f.line2 error disabled autocomplete="address-line2" />
                <DetailsField name="address.city" label="City" value=f.city error disabled autocomplete="address-level2" />
                <DetailsField name="address.region" label="State or region (optional)" value=f.region error disabled autocomplete="address-level1" />
                <DetailsField name="address.postal_code" label="Postal code" value=f.postal_code error disabled autocomplete="postal-code" />
                <div class="field">
                    <label class="field__label" for="billing-address-country">"Country"</label>
                    // The options are set as one piece of markup, before the
                    // value: built as views they were 249 elements made one
                    // call at a time, half the page's elements and the
                    // longest part of its first render (issue 12).
                    <select
                        id="billing-address-country"
                        class="input select"
                        autocomplete="country"
                        inner_html=country_options()
                        disabled=move || disabled.get()
                        prop:value=move || f.country.get()
                        on:change=move |ev| f.country.set(event_target_value(&ev))
                    ></select>
                    {move || {
                        error
                            .with(|e| {
                                e.as_ref()
                                    .filter(|(p, _)| p == "address.country")
                                    .map(|(_, m)| m.clone())
                            })
                            .map(|m| view! { <p class="field__error">{m}</p> })
                    }}
                </div>
                <DetailsField name="tax_id" label="Tax ID (optional)" value=f.tax_id error disabled />
                {move || {
                    can_manage
                        .get()
                        .then(|| {
                            view! {
                                <div class="form-actions">
                                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                                        {move || if pending.get() { "Saving…" } else { "Save billing details" }}
                                    </button>
                                </div>
                            }
                        })
                }}
                <AnnouncementRegion announcement />
            </form>
        </section>
    }
}

/// Every country's `<option>`, as markup. The codes are two capital
/// letters (`countries::CODES`), so nothing in them needs escaping.
fn country_options() -> String {
    countries::CODES
        .iter()
        .map(|c| format!("<option value=\"{c}\">{c}</option>"))
        .collect()
}

/// A refusal: beside the field the API named, else for the whole form.
fn show_error(
    e: ApiError,
    error: RwSignal<Option<(String, String)>>,
    announcement: RwSignal<Option<Announcement>>,
) {
    match e.param.clone() {
        Some(param) if e.status == Some(400) => {
            announcement.set(Some(Announcement::Failed(format!(
                "The billing details were not saved: {}",
                e.message
            ))));
            error.set(Some((param, e.message)));
        }
        _ => {
            error.set(None);
            announcement.set(Some(Announcement::Failed(format!(
                "The billing details were not saved: {}",
                e.message
            ))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cc_addresses_are_one_a_line_or_comma_separated() {
        assert_eq!(
            cc_list(" a@x.test\n\nb@x.test, c@x.test "),
            ["a@x.test", "b@x.test", "c@x.test"]
        );
        assert!(cc_list("  \n ").is_empty());
    }

    #[test]
    fn an_error_about_one_cc_address_belongs_to_the_cc_field() {
        assert_eq!(field_of("cc[1]"), "cc");
        assert_eq!(field_of("address.country"), "address.country");
    }

    #[test]
    fn the_country_options_are_every_code_once_in_markup_that_needs_no_escaping() {
        let markup = country_options();
        assert_eq!(markup.matches("<option ").count(), countries::CODES.len());
        for code in countries::CODES {
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(markup.contains(&format!("<option value=\"{code}\">{code}</option>")));
        }
        assert!(markup.starts_with("<option value=\"AD\">AD</option>"));
    }
}
