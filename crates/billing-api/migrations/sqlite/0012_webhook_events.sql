-- The webhook outbox (SPEC §13): each billing event is written in the
-- transaction of the change it reports, with a snapshot of the
-- subscription as that change left it, and delivered from here, oldest
-- first per account (by `seq`), at least once.
CREATE TABLE webhook_events (
    seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
    id                   TEXT NOT NULL UNIQUE,
    account_id           TEXT NOT NULL,
    event_type           TEXT NOT NULL,
    -- The account's clock when the change was made (unix seconds).
    created_at           INTEGER NOT NULL,
    -- JSON object: the event's own facts (the invoice, the refund).
    details              TEXT NOT NULL,
    -- The subscription after the change (NULL where it has none).
    status               TEXT,
    plan                 TEXT,
    billing_interval     TEXT,
    seats                INTEGER,
    add_ons              TEXT,
    current_period_start INTEGER,
    current_period_end   INTEGER,
    cancel_at            INTEGER,
    -- Delivery, on the server's clock.
    attempts             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      INTEGER NOT NULL DEFAULT 0,
    first_attempt_at     INTEGER,
    -- A sender's lease (as the mail outbox's claims).
    claimed_until        INTEGER,
    delivered_at         INTEGER,
    -- Retried for 3 days without a 2xx: given up, and the account's next event goes.
    gave_up_at           INTEGER,
    last_error           TEXT
);
CREATE INDEX webhook_events_pending ON webhook_events (account_id, seq)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX webhook_events_account ON webhook_events (account_id, seq);

-- The billing team lists the requests waiting for its decision.
CREATE INDEX withdrawals_status ON withdrawals (status, requested_at);
