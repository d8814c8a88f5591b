-- Members asking the owner for billing access.

CREATE TABLE access_requests (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('open', 'granted', 'declined')),
    -- The level granted, when granted.
    granted      TEXT,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    decided_by   TEXT
);
-- One open request per member.
CREATE UNIQUE INDEX access_requests_one_open ON access_requests (user_id) WHERE status = 'open';
CREATE INDEX access_requests_account ON access_requests (account_id, status);
