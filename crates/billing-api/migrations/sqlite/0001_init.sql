-- The portal's first schema. Portable SQL only: TEXT ids, INTEGER unix
-- seconds for times, INTEGER minor units for money, INTEGER 0/1 for flags,
-- so the PostgreSQL migrations can mirror it with BIGINT columns.

CREATE TABLE accounts (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    cancel_requires_owner INTEGER NOT NULL DEFAULT 0,
    -- Demo accounts make a production server refuse to start.
    is_demo               INTEGER NOT NULL DEFAULT 0,
    -- Test accounts only: the account's frozen clock (unix seconds).
    clock_at              INTEGER,
    created_at            INTEGER NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    billing_access TEXT NOT NULL DEFAULT 'none' CHECK (billing_access IN ('none', 'read', 'manage')),
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL
);
CREATE INDEX users_account ON users (account_id);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token: a leaked table signs nobody in.
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE subscriptions (
    account_id           TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    plan                 TEXT NOT NULL,
    billing_interval     TEXT NOT NULL,
    seats                INTEGER NOT NULL CHECK (seats > 0),
    -- Comma-separated add-on ids, sorted.
    add_ons              TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,
    billing_anchor       INTEGER NOT NULL,
    current_period_start INTEGER NOT NULL,
    current_period_end   INTEGER NOT NULL,
    currency             TEXT NOT NULL,
    credit_balance       INTEGER NOT NULL DEFAULT 0 CHECK (credit_balance >= 0),
    version              INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE payment_methods (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    brand         TEXT NOT NULL,
    last4         TEXT NOT NULL,
    exp_month     INTEGER NOT NULL,
    exp_year      INTEGER NOT NULL,
    -- The gateway's token; never the card number or CVC.
    gateway_token TEXT NOT NULL,
    is_default    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX payment_methods_account ON payment_methods (account_id);

CREATE TABLE audit_log (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- NULL when the system acted (scheduler, seed).
    actor_user_id TEXT,
    action        TEXT NOT NULL,
    -- JSON object with the change's details and amounts.
    details       TEXT NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX audit_log_account_at ON audit_log (account_id, at);
