-- Invoices as accounting documents (SPEC §12): the buyer's billing details,
-- a snapshot of seller and buyer on every invoice, one vendor-wide number
-- sequence per kind of document, credit notes, e-mail CC and attachments,
-- and what is kept of users once an account's data is deleted.

-- The buyer's billing details as JSON; NULL means the defaults (the
-- account's name, the owner's e-mail, no address).
ALTER TABLE accounts ADD COLUMN billing_details TEXT;

-- After an account's data is deleted, only a SHA-256 of each user's
-- lower-cased e-mail stays, so signing in can still say what happened.
ALTER TABLE users ADD COLUMN email_hash TEXT;
CREATE INDEX users_email_hash ON users (email_hash) WHERE email_hash IS NOT NULL;

-- The number shown to people (prefix and vendor-wide sequence number); NULL
-- for invoices issued before this, shown as they always were.
ALTER TABLE invoices ADD COLUMN number TEXT;
-- Seller and buyer as of the issue (JSON).
ALTER TABLE invoices ADD COLUMN seller TEXT;
ALTER TABLE invoices ADD COLUMN buyer TEXT;
CREATE UNIQUE INDEX invoices_number ON invoices (number) WHERE number IS NOT NULL;

-- One row per kind of document: the last number given. Each insert bumps it
-- in its own transaction, so numbers neither repeat nor leave gaps.
CREATE TABLE document_sequences (
    kind TEXT PRIMARY KEY CHECK (kind IN ('invoice', 'credit_note')),
    last INTEGER NOT NULL
);
-- Invoice `seq` becomes the vendor-wide number: new ones follow every old one.
INSERT INTO document_sequences (kind, last) VALUES
    ('invoice', (SELECT COALESCE(MAX(seq), 0) FROM invoices)),
    ('credit_note', 0);

CREATE TABLE credit_notes (
    id         TEXT PRIMARY KEY,
    -- Kept when the account's data is deleted (the account row stays).
    account_id TEXT NOT NULL REFERENCES accounts (id),
    seq        INTEGER NOT NULL UNIQUE,
    number     TEXT NOT NULL UNIQUE,
    reason     TEXT NOT NULL CHECK (reason IN ('refund', 'unused_time')),
    invoice_id TEXT REFERENCES invoices (id),
    currency   TEXT NOT NULL,
    total      INTEGER NOT NULL CHECK (total > 0),
    to_card    INTEGER NOT NULL CHECK (to_card >= 0),
    to_balance INTEGER NOT NULL CHECK (to_balance >= 0),
    -- The lines (JSON), and seller and buyer as of the issue (JSON).
    lines      TEXT NOT NULL,
    seller     TEXT NOT NULL,
    buyer      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CHECK (to_card + to_balance = total)
);
CREATE INDEX credit_notes_account ON credit_notes (account_id, seq);

-- Every billing e-mail also goes to the billing CC list (JSON array).
ALTER TABLE outbox ADD COLUMN cc TEXT NOT NULL DEFAULT '[]';
