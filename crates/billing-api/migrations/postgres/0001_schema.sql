-- The portal's schema for PostgreSQL: the final meaning of the SQLite
-- migrations 0001-0007 in one step (a PostgreSQL database starts empty, so
-- the SQLite history's back-fills have nothing to fill).
--
-- Encodings mirror SQLite's: TEXT ids, BIGINT unix seconds for times, BIGINT
-- minor units for money, BIGINT for every other integer (so rows decode as
-- i64 on both engines), BOOLEAN for flags. JSON is kept as TEXT so what is
-- read back is byte for byte what was written.

CREATE TABLE accounts (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    cancel_requires_owner BOOLEAN NOT NULL DEFAULT FALSE,
    -- Demo accounts make a production server refuse to start.
    is_demo               BOOLEAN NOT NULL DEFAULT FALSE,
    -- Test accounts only: the account's frozen clock (unix seconds).
    clock_at              BIGINT,
    created_at            BIGINT NOT NULL,
    deleted_at            BIGINT
);

-- The per-account numbers (invoices, audit lines, ledger entries). SQLite
-- takes MAX(seq) + 1 because it has one writer at a time; here concurrent
-- transactions would read the same MAX, so each number comes from this row,
-- incremented under its row lock in the inserting transaction: no two
-- transactions get the same number, and a rollback gives its number back.
CREATE TABLE account_counters (
    account_id  TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    invoice_seq BIGINT NOT NULL DEFAULT 0,
    audit_seq   BIGINT NOT NULL DEFAULT 0,
    ledger_seq  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    -- Stored trimmed and lower-cased; looked up the same way.
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    billing_access TEXT NOT NULL DEFAULT 'none' CHECK (billing_access IN ('none', 'read', 'manage')),
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT NOT NULL
);
CREATE INDEX users_account ON users (account_id);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token: a leaked table signs nobody in.
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE subscriptions (
    account_id            TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    plan                  TEXT NOT NULL,
    billing_interval      TEXT NOT NULL,
    seats                 BIGINT NOT NULL CHECK (seats > 0),
    -- Comma-separated add-on ids, sorted.
    add_ons               TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL,
    billing_anchor        BIGINT NOT NULL,
    current_period_start  BIGINT NOT NULL,
    current_period_end    BIGINT NOT NULL,
    currency              TEXT NOT NULL,
    -- Kept for the schema's meaning; the balance is read from the ledger.
    credit_balance        BIGINT NOT NULL DEFAULT 0 CHECK (credit_balance >= 0),
    version               BIGINT NOT NULL DEFAULT 1,
    past_due_since        BIGINT,
    grace_until           BIGINT,
    pending_seats         BIGINT,
    pending_interval      TEXT,
    cancel_at             BIGINT,
    canceled_at           BIGINT,
    discount_percent      BIGINT,
    discount_periods_left BIGINT,
    -- TRUE while the current period was billed at the pause price.
    pause_billed          BOOLEAN NOT NULL DEFAULT FALSE,
    -- TRUE while the customer has paused (renewals bill the pause price).
    paused                BOOLEAN NOT NULL DEFAULT FALSE,
    -- The discount the current period was billed with, in percent-months.
    period_discount       BIGINT NOT NULL DEFAULT 0,
    -- When a retention discount was last accepted (once in 12 months).
    discount_accepted_at  BIGINT
);

CREATE TABLE payment_methods (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    brand         TEXT NOT NULL,
    last4         TEXT NOT NULL,
    exp_month     BIGINT NOT NULL,
    exp_year      BIGINT NOT NULL,
    -- The gateway's token; never the card number or CVC.
    gateway_token TEXT NOT NULL,
    is_default    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);
CREATE INDEX payment_methods_account ON payment_methods (account_id);
CREATE INDEX payment_methods_token ON payment_methods (gateway_token);

CREATE TABLE audit_log (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- NULL when the system acted (scheduler, seed).
    actor_user_id TEXT,
    action        TEXT NOT NULL,
    -- JSON object with the change's details and amounts.
    details       TEXT NOT NULL,
    at            BIGINT NOT NULL,
    -- Per-account order, so entries made in the same second keep theirs.
    seq           BIGINT NOT NULL,
    UNIQUE (account_id, seq)
);
CREATE INDEX audit_log_account_at ON audit_log (account_id, at);

CREATE TABLE invoices (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Per-account sequence number shown to people (INV-00001).
    seq            BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'paid', 'void', 'uncollectible')),
    -- subscription_create | subscription_cycle | subscription_update
    reason         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    total          BIGINT NOT NULL CHECK (total >= 0),
    credit_applied BIGINT NOT NULL DEFAULT 0,
    credit_created BIGINT NOT NULL DEFAULT 0,
    period_start   BIGINT,
    period_end     BIGINT,
    created_at     BIGINT NOT NULL,
    paid_at        BIGINT,
    attempt_count  BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT,
    charge_id      TEXT,
    -- The gateway key and card of a charge in flight: set before the
    -- gateway is called, cleared when its outcome is recorded.
    pending_key    TEXT,
    pending_token  TEXT,
    -- What paying this invoice does to the subscription (JSON).
    settlement     TEXT,
    -- The idempotency key of the request that created it.
    request_key    TEXT,
    UNIQUE (account_id, seq)
);
CREATE INDEX invoices_account_created ON invoices (account_id, created_at);
CREATE UNIQUE INDEX invoices_request_key ON invoices (request_key) WHERE request_key IS NOT NULL;

CREATE TABLE invoice_lines (
    invoice_id   TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position     BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    description  TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    unit_amount  BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    period_start BIGINT,
    period_end   BIGINT,
    PRIMARY KEY (invoice_id, position)
);

-- Work that must happen once only (a renewal for a period, a reminder):
-- the batch that does it inserts its key, and a second attempt fails whole.
CREATE TABLE once_markers (
    marker     TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at         BIGINT NOT NULL
);

CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    -- The order e-mails were queued in (SQLite's rowid): ties of
    -- created_at, which is in whole seconds, keep their order.
    queued     BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    to_email   TEXT NOT NULL,
    to_name    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    invoice_id TEXT,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT,
    attempts   BIGINT NOT NULL DEFAULT 0,
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
    exp_month  BIGINT NOT NULL,
    exp_year   BIGINT NOT NULL,
    -- How this test card behaves: succeed | decline_attach:<code> | decline_charges
    behaviour  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE gateway_charges (
    id              TEXT PRIMARY KEY,
    token           TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    -- The same key never charges twice.
    idempotency_key TEXT NOT NULL UNIQUE,
    outcome         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX gateway_charges_token ON gateway_charges (token);

CREATE TABLE idempotency_keys (
    -- Whose key: the signed-in user's id.
    scope        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    -- SHA-256 of method, path, query and body: the same key with another
    -- request is refused.
    request_hash TEXT NOT NULL,
    -- NULL while the first request is still running, 0 when parked.
    status       BIGINT,
    content_type TEXT,
    etag         TEXT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Members asking the owner for billing access.
CREATE TABLE access_requests (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('open', 'granted', 'declined')),
    -- The level granted, when granted.
    granted      TEXT,
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT,
    decided_by   TEXT
);
-- One open request per member.
CREATE UNIQUE INDEX access_requests_one_open ON access_requests (user_id) WHERE status = 'open';
CREATE INDEX access_requests_account ON access_requests (account_id, status);

CREATE TABLE cancel_sessions (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    reason       TEXT,
    reason_text  TEXT,
    -- Comma-separated ids of the offers shown.
    offers_shown TEXT NOT NULL DEFAULT '',
    -- saved | paused | canceled | meeting_requested (NULL while open)
    outcome      TEXT,
    offer_id     TEXT,
    ended_at     BIGINT
);
CREATE INDEX cancel_sessions_started ON cancel_sessions (started_at);

CREATE TABLE usage_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    at         BIGINT NOT NULL
);
CREATE INDEX usage_events_account_at ON usage_events (account_id, at);

-- Money truth (SPEC §11): every money movement, from which the credit
-- balance is derived.
CREATE TABLE ledger_entries (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- A per-account sequence: entries keep the order they were made in.
    seq           BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('card_charge', 'card_refund', 'credit_granted', 'credit_applied',
                                                'withdrawal_requested', 'withdrawal_paid', 'withdrawal_declined')),
    -- Always positive; the kind says which way the money went.
    amount        BIGINT NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL,
    invoice_id    TEXT,
    -- The gateway's charge (card_charge) or refund (card_refund) id.
    charge_id     TEXT,
    -- For a card refund: the charge it returns money to.
    refund_of     TEXT,
    withdrawal_id TEXT,
    memo          TEXT NOT NULL DEFAULT '',
    at            BIGINT NOT NULL,
    UNIQUE (account_id, seq)
);
-- A gateway charge or refund is entered once.
CREATE UNIQUE INDEX ledger_card_once ON ledger_entries (kind, charge_id) WHERE charge_id IS NOT NULL;

CREATE TABLE withdrawals (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('requested', 'paid', 'declined')),
    note         TEXT NOT NULL DEFAULT '',
    requested_by TEXT,
    requested_at BIGINT NOT NULL,
    decided_at   BIGINT,
    decided_by   TEXT
);
CREATE INDEX withdrawals_account ON withdrawals (account_id, requested_at);
