-- The billing engine: invoices and their lines, dunning state, the simulated
-- gateway's own tables, the mail outbox and once-only markers.

ALTER TABLE subscriptions ADD COLUMN past_due_since INTEGER;
ALTER TABLE subscriptions ADD COLUMN grace_until INTEGER;

CREATE TABLE invoices (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Per-account sequence number shown to people (INV-00001).
    seq            INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'paid', 'void', 'uncollectible')),
    -- subscription_create | subscription_cycle | subscription_update
    reason         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    total          INTEGER NOT NULL CHECK (total >= 0),
    credit_applied INTEGER NOT NULL DEFAULT 0,
    credit_created INTEGER NOT NULL DEFAULT 0,
    period_start   INTEGER,
    period_end     INTEGER,
    created_at     INTEGER NOT NULL,
    paid_at        INTEGER,
    attempt_count  INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    charge_id      TEXT,
    UNIQUE (account_id, seq)
);
CREATE INDEX invoices_account_created ON invoices (account_id, created_at);

CREATE TABLE invoice_lines (
    invoice_id   TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    description  TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    unit_amount  INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    period_start INTEGER,
    period_end   INTEGER,
    PRIMARY KEY (invoice_id, position)
);

-- Work that must happen once only (a renewal for a period, a reminder):
-- the batch that does it inserts its key, and a second attempt fails whole.
CREATE TABLE once_markers (
    marker     TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL
);

CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    to_email   TEXT NOT NULL,
    to_name    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    invoice_id TEXT,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_account ON outbox (account_id, created_at);
CREATE INDEX outbox_unsent ON outbox (sent_at);

-- The simulated gateway's vault: what a processor would keep. The billing
-- tables only ever see the token.
CREATE TABLE gateway_tokens (
    token      TEXT PRIMARY KEY,
    brand      TEXT NOT NULL,
    last4      TEXT NOT NULL,
    exp_month  INTEGER NOT NULL,
    exp_year   INTEGER NOT NULL,
    -- How this test card behaves: succeed | decline_attach:<code> | decline_charges
    behaviour  TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE gateway_charges (
    id              TEXT PRIMARY KEY,
    token           TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    -- The same key never charges twice.
    idempotency_key TEXT NOT NULL UNIQUE,
    outcome         TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
