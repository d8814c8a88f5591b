-- Pending changes (seat reductions, annual → monthly) applied at renewal,
-- and the idempotency keys of state-changing requests.

ALTER TABLE subscriptions ADD COLUMN pending_seats INTEGER;
ALTER TABLE subscriptions ADD COLUMN pending_interval TEXT;

CREATE TABLE idempotency_keys (
    -- Whose key: the signed-in user's id.
    scope        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    -- SHA-256 of method, path, query and body: the same key with another
    -- request is refused.
    request_hash TEXT NOT NULL,
    -- NULL while the first request is still running.
    status       INTEGER,
    content_type TEXT,
    etag         TEXT,
    body         TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
