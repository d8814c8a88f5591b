//! Schemas the derive cannot say by itself: string fields that take one of a
//! few words. Used through `#[schema(schema_with = …)]` (server only).

use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Object;

fn words(values: &[&str], description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.to_vec()))
        .description(Some(description))
        .build()
}

/// Exactly `CONFIRM`.
pub fn confirm_word() -> Object {
    words(
        &[crate::cancel_flow::CONFIRM_WORD],
        "Exactly `CONFIRM`, in capitals.",
    )
}

/// A level a request for access is granted at: never `none`.
pub fn grant_level() -> Object {
    words(&["read", "manage"], "`read` or `manage`.")
}

/// A billing team's decision on a withdrawal.
pub fn withdrawal_decision() -> Object {
    words(&["paid", "declined"], "`paid` or `declined`.")
}
