//! The generated operations, how they are weighted, and the change
//! request each change operation sends.

use super::prices::{AddOns, Iv, Plan};
use crate::helpers::DAY;
use proptest::prelude::*;
use serde_json::{json, Value};

/// One generated step.
#[derive(Debug, Clone)]
pub(super) enum Op {
    ChangeSeats(u32),
    ChangePlan(Plan),
    ChangeInterval(Iv),
    SetAddOns(AddOns),
    ChangeMany(Change),
    UndoPending(&'static str),
    AcceptDiscount,
    Pause,
    Resume,
    ScheduleCancel,
    WithdrawCancel,
    Refund,
    Withdraw,
    DecideWithdrawal { paid: bool },
    DecliningCard,
    GoodCard,
    RecordUsage,
    Advance(i64),
}

/// Operations weighted so that most sequences mix changes with time passing.
pub(super) fn op_strategy() -> impl Strategy<Value = Op> {
    let advance =
        prop_oneof![3 => 3_600..3 * DAY, 2 => 28 * DAY..=31 * DAY, 1 => 60 * DAY..=400 * DAY];
    prop_oneof![
        4 => (4u32..30).prop_map(Op::ChangeSeats),
        2 => prop_oneof![Just(Plan::Essentials), Just(Plan::Business)].prop_map(Op::ChangePlan),
        2 => prop_oneof![Just(Iv::Month), Just(Iv::Year)].prop_map(Op::ChangeInterval),
        2 => (0u8..8).prop_map(|b| Op::SetAddOns(AddOns(b))),
        // Several of plan, interval, seats and add-ons in one request.
        2 => (
            proptest::option::of(prop_oneof![Just(Plan::Essentials), Just(Plan::Business)]),
            proptest::option::of(prop_oneof![Just(Iv::Month), Just(Iv::Year)]),
            proptest::option::of(4u32..30),
            proptest::option::of((0u8..8).prop_map(AddOns)),
        )
            .prop_map(Op::ChangeMany),
        1 => prop_oneof![Just("seats"), Just("interval")].prop_map(Op::UndoPending),
        2 => Just(Op::AcceptDiscount),
        2 => Just(Op::Pause),
        2 => Just(Op::Resume),
        2 => Just(Op::ScheduleCancel),
        1 => Just(Op::WithdrawCancel),
        2 => Just(Op::Refund),
        2 => Just(Op::Withdraw),
        2 => any::<bool>().prop_map(|paid| Op::DecideWithdrawal { paid }),
        2 => Just(Op::DecliningCard),
        2 => Just(Op::GoodCard),
        1 => Just(Op::RecordUsage),
        8 => advance.prop_map(Op::Advance),
    ]
}

/// A change request: (plan, interval, seats, add-ons), each left out stays.
pub(super) type Change = (Option<Plan>, Option<Iv>, Option<u32>, Option<AddOns>);

/// The change a change operation asks for.
pub(super) fn change_of(op: &Op) -> Change {
    match *op {
        Op::ChangeSeats(n) => (None, None, Some(n), None),
        Op::ChangePlan(p) => (Some(p), None, None, None),
        Op::ChangeInterval(i) => (None, Some(i), None, None),
        Op::SetAddOns(a) => (None, None, None, Some(a)),
        Op::ChangeMany(change) => change,
        _ => unreachable!("not a change"),
    }
}

/// The request body of a change.
pub(super) fn change_body((plan, iv, seats, add_ons): Change) -> Value {
    let mut b = json!({ "plan": plan, "interval": iv, "seats": seats, "add_ons": add_ons.map(AddOns::names) });
    b.as_object_mut()
        .expect("an object")
        .retain(|_, v| !v.is_null());
    b
}
