//! The seat count: − and + buttons around a number field. It never goes
//! below one seat per active user, and says who holds the seats when the
//! user tries to.

use crate::format;
use billing_domain::change::MAX_SEATS;
use leptos::prelude::*;
use std::time::Duration;

/// How long a typed count may stand before it is judged.
const MESSAGE_DELAY: Duration = Duration::from_millis(600);

/// The seat stepper. It reports each valid count, or `None` while what is
/// typed is not one, so the page never prices a count it would refuse.
#[component]
pub fn SeatStepper(
    /// The count to start from.
    initial: u32,
    /// The seats bought now, for the hint.
    purchased: u32,
    /// The active users' names: the fewest seats is one per name.
    holders: Vec<String>,
    /// Called with each valid count, or `None` while the field holds none.
    on_change: Callback<Option<u32>>,
    /// The API's message about the seat count, if it refused one.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let min = (holders.len() as u32).max(1);
    let below_min = below_min_message(&holders);
    let text = RwSignal::new(initial.to_string());
    let local_error = RwSignal::new(None::<String>);
    // A typed count is judged once the user pauses (or leaves the field),
    // so typing "15" does not flash the "at least 4" message at the "1".
    let pending_message = StoredValue::new(None::<TimeoutHandle>);
    let cancel_message = move || {
        if let Some(Some(handle)) = pending_message.try_get_value() {
            handle.clear();
        }
    };
    on_cleanup(cancel_message);
    let show_later = move |message: String| {
        cancel_message();
        let handle = set_timeout_with_handle(
            move || {
                let _ = local_error.try_set(Some(message));
            },
            MESSAGE_DELAY,
        )
        .ok();
        pending_message.set_value(handle);
    };

    let set_count = move |n: u32| {
        cancel_message();
        text.set(n.to_string());
        local_error.set(None);
        on_change.run(Some(n));
    };
    let typed = move || text.with_untracked(|t| t.trim().parse::<u32>().ok());
    let below_min_for_minus = below_min.clone();
    let below_min_for_blur = below_min.clone();
    let on_minus = move |_| match typed() {
        Some(n) if n > min => set_count((n - 1).min(MAX_SEATS)),
        _ => {
            cancel_message();
            local_error.set(Some(below_min_for_minus.clone()));
        }
    };
    let on_plus = move |_| match typed() {
        Some(n) if n < min => set_count(min),
        Some(n) => set_count((n + 1).min(MAX_SEATS)),
        None => set_count(min),
    };
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        match check(&value, min, &below_min) {
            Ok(n) => {
                cancel_message();
                local_error.set(None);
                on_change.run(Some(n));
            }
            Err(message) => {
                local_error.set(None);
                show_later(message);
                on_change.run(None);
            }
        }
    };
    let on_blur = move |_| {
        let value = text.get_untracked();
        if let Err(message) = check(&value, min, &below_min_for_blur) {
            cancel_message();
            local_error.set(Some(message));
        }
    };

    let message = move || local_error.get().or_else(|| error.get());
    let change_hint = move || {
        let n = text.with(|t| t.trim().parse::<u32>().ok())?;
        match n.cmp(&purchased) {
            std::cmp::Ordering::Less => {
                Some("Removed seats stay until your next renewal; you aren't credited for them.")
            }
            std::cmp::Ordering::Greater => {
                Some("New seats are charged now for the rest of the current period.")
            }
            std::cmp::Ordering::Equal => None,
        }
    };

    view! {
        <div class="field seat-stepper">
            <label class="field__label" for="seat-count">
                "Seats"
            </label>
            <div class="seat-stepper__control">
                <button
                    type="button"
                    class="seat-stepper__button"
                    aria-label="Remove a seat"
                    aria-controls="seat-count"
                    on:click=on_minus
                >
                    <span aria-hidden="true">"−"</span>
                </button>
                <input
                    id="seat-count"
                    name="seats"
                    class="input seat-stepper__input"
                    type="number"
                    inputmode="numeric"
                    min=min.to_string()
                    max=MAX_SEATS.to_string()
                    step="1"
                    prop:value=move || text.get()
                    on:input=on_input
                    on:blur=on_blur
                    aria-invalid=move || message().map(|_| "true")
                    aria-describedby=move || {
                        if message().is_some() {
                            "seat-count-hint seat-count-error"
                        } else {
                            "seat-count-hint"
                        }
                    }
                />
                <button
                    type="button"
                    class="seat-stepper__button"
                    aria-label="Add a seat"
                    aria-controls="seat-count"
                    on:click=on_plus
                >
                    <span aria-hidden="true">"+"</span>
                </button>
            </div>
            <p class="field__hint" id="seat-count-hint">
                {format!("You have {}; {} in use. ", format::seats(purchased), holders.len())}
                {change_hint}
            </p>
            {move || {
                message()
                    .map(|message| {
                        view! {
                            <p class="field__error" id="seat-count-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// "4 people use the account, so it needs at least 4 seats: Ann, Bo, Cy
/// and Di."
fn below_min_message(holders: &[String]) -> String {
    let n = holders.len();
    if n <= 1 {
        return "The account needs at least 1 seat.".into();
    }
    format!(
        "{n} people use the account, so it needs at least {n} seats: {}.",
        format::names(holders)
    )
}

/// The count typed, or why it is not one.
fn check(typed: &str, min: u32, below_min: &str) -> Result<u32, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Enter the number of seats.".into());
    }
    match typed.parse::<u32>() {
        Ok(n) if n < min => Err(below_min.to_string()),
        Ok(n) if n > MAX_SEATS => Err(format!(
            "You can have at most {} seats.",
            group_thousands(MAX_SEATS)
        )),
        Ok(n) => Ok(n),
        Err(_) => Err("Enter the number of seats as a whole number.".into()),
    }
}

fn group_thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<String> {
        ["Olivia Owner", "Adam Admin", "Bea Billing", "Max Member"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn the_floor_names_who_holds_the_seats() {
        assert_eq!(
            below_min_message(&people()),
            "4 people use the account, so it needs at least 4 seats: Olivia Owner, Adam Admin, Bea Billing and Max Member."
        );
    }

    #[test]
    fn typed_counts_are_checked() {
        let floor = below_min_message(&people());
        assert_eq!(check("15", 4, &floor), Ok(15));
        assert_eq!(check(" 4 ", 4, &floor), Ok(4));
        assert_eq!(check("3", 4, &floor), Err(floor.clone()));
        assert_eq!(
            check("", 4, &floor),
            Err("Enter the number of seats.".into())
        );
        assert!(check("2.5", 4, &floor).is_err());
        assert_eq!(
            check("10001", 4, &floor),
            Err("You can have at most 10,000 seats.".into())
        );
    }
}
