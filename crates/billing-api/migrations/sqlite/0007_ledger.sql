-- Money truth (SPEC §11): a ledger of every money movement, from which the
-- credit balance is derived; withdrawal requests; discounts with their
-- history; the pause flag; and charge attempts written before the gateway
-- is called, so a crash or a store error is reconciled under the same key.

CREATE TABLE ledger_entries (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- A per-account sequence: entries keep the order they were made in.
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('card_charge', 'card_refund', 'credit_granted', 'credit_applied',
                                                'withdrawal_requested', 'withdrawal_paid', 'withdrawal_declined')),
    -- Always positive; the kind says which way the money went.
    amount        INTEGER NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL,
    invoice_id    TEXT,
    -- The gateway's charge (card_charge) or refund (card_refund) id.
    charge_id     TEXT,
    -- For a card refund: the charge it returns money to.
    refund_of     TEXT,
    withdrawal_id TEXT,
    memo          TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL,
    UNIQUE (account_id, seq)
);
-- A gateway charge or refund is entered once.
CREATE UNIQUE INDEX ledger_card_once ON ledger_entries (kind, charge_id) WHERE charge_id IS NOT NULL;

-- Balances kept until now become opening entries; paid card invoices become charges.
INSERT INTO ledger_entries (id, account_id, seq, kind, amount, currency, memo, at)
    SELECT 'led_open_' || account_id, account_id, 1, 'credit_granted', credit_balance, currency, 'Opening balance', current_period_start
    FROM subscriptions WHERE credit_balance > 0;
INSERT INTO ledger_entries (id, account_id, seq, kind, amount, currency, invoice_id, charge_id, memo, at)
    SELECT 'led_' || i.id, i.account_id,
           (SELECT COUNT(*) FROM ledger_entries l WHERE l.account_id = i.account_id)
             + (SELECT COUNT(*) FROM invoices e WHERE e.account_id = i.account_id AND e.total > 0 AND e.charge_id IS NOT NULL AND e.status = 'paid'
                AND (e.created_at < i.created_at OR (e.created_at = i.created_at AND e.id <= i.id))),
           'card_charge', i.total, i.currency, i.id, i.charge_id, 'Card charged', COALESCE(i.paid_at, i.created_at)
    FROM invoices i WHERE i.status = 'paid' AND i.total > 0 AND i.charge_id IS NOT NULL;

CREATE TABLE withdrawals (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('requested', 'paid', 'declined')),
    note         TEXT NOT NULL DEFAULT '',
    requested_by TEXT,
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER,
    decided_by   TEXT
);
CREATE INDEX withdrawals_account ON withdrawals (account_id, requested_at);

-- 1 while the customer has paused (renewals bill the pause price).
ALTER TABLE subscriptions ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
UPDATE subscriptions SET paused = 1 WHERE status = 'paused' OR pause_billed = 1;
-- The discount the current period was billed with, in percent-months.
ALTER TABLE subscriptions ADD COLUMN period_discount INTEGER NOT NULL DEFAULT 0;
-- When a retention discount was last accepted (once in 12 months).
ALTER TABLE subscriptions ADD COLUMN discount_accepted_at INTEGER;

-- The gateway key and card of a charge in flight: set before the gateway
-- is called, cleared when its outcome is recorded.
ALTER TABLE invoices ADD COLUMN pending_key TEXT;
ALTER TABLE invoices ADD COLUMN pending_token TEXT;
-- What paying this invoice does to the subscription (JSON), for invoices
-- that pay for a change, a resume, a reactivation or a recovery.
ALTER TABLE invoices ADD COLUMN settlement TEXT;
-- The idempotency key of the request that created it, so a retry finds it.
ALTER TABLE invoices ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX invoices_request_key ON invoices (request_key) WHERE request_key IS NOT NULL;
