//! The column names the engines' row decoders read, plain or as a joined
//! read names them; one list for both engines.

/// The column names a decoder reads: the table's own (`PLAIN`), or those
/// of a joined read (`JOINED`), each `{prefix}{column}` there.
macro_rules! column_names {
    ($name:ident, $prefix:literal, [$($column:ident),* $(,)?]) => {
        pub(crate) struct $name {
            $(pub(crate) $column: &'static str,)*
        }
        impl $name {
            pub(crate) const PLAIN: $name = $name { $($column: stringify!($column),)* };
            pub(crate) const JOINED: $name = $name {
                $($column: concat!($prefix, stringify!($column)),)*
            };
        }
    };
}

column_names!(
    AccountColumns,
    "a_",
    [
        id,
        name,
        cancel_requires_owner,
        is_demo,
        clock_at,
        created_at,
        deleted_at,
        billing_details
    ]
);
column_names!(
    UserColumns,
    "u_",
    [
        id,
        account_id,
        name,
        email,
        password_hash,
        role,
        billing_access,
        active,
        created_at
    ]
);
column_names!(
    SessionColumns,
    "se_",
    [token_hash, user_id, created_at, expires_at, last_seen_at]
);
column_names!(
    CardColumns,
    "pm_",
    [
        id,
        account_id,
        brand,
        last4,
        exp_month,
        exp_year,
        gateway_token,
        is_default,
        created_at
    ]
);
