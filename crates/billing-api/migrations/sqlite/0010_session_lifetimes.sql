-- Sessions end when idle too long as well as at their absolute end: the
-- last moment a session was used (written at most once a minute).
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
