-- Cancellation, pause, discounts from offers, data deletion, usage for
-- refunds, and the wizard's sessions for save-rate reporting.

ALTER TABLE subscriptions ADD COLUMN cancel_at INTEGER;
ALTER TABLE subscriptions ADD COLUMN canceled_at INTEGER;
ALTER TABLE subscriptions ADD COLUMN discount_percent INTEGER;
ALTER TABLE subscriptions ADD COLUMN discount_periods_left INTEGER;
-- 1 while the current period was billed at the pause price.
ALTER TABLE subscriptions ADD COLUMN pause_billed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN deleted_at INTEGER;

CREATE TABLE cancel_sessions (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    reason       TEXT,
    reason_text  TEXT,
    -- Comma-separated ids of the offers shown.
    offers_shown TEXT NOT NULL DEFAULT '',
    -- saved | paused | canceled | meeting_requested (NULL while open)
    outcome      TEXT,
    offer_id     TEXT,
    ended_at     INTEGER
);
CREATE INDEX cancel_sessions_started ON cancel_sessions (started_at);

CREATE TABLE usage_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    at         INTEGER NOT NULL
);
CREATE INDEX usage_events_account_at ON usage_events (account_id, at);
