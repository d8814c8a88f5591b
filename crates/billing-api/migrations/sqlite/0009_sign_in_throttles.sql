-- Sign-in attempts counted per key (an e-mail, or an e-mail from one
-- client), shared by every instance on this database. The key is a hash:
-- the table holds no e-mail or address.
CREATE TABLE sign_in_throttles (
    throttle_key  TEXT PRIMARY KEY,
    attempts      INTEGER NOT NULL CHECK (attempts >= 0),
    blocked_until INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    succeeded_at  INTEGER,
    version       INTEGER NOT NULL
);
CREATE INDEX sign_in_throttles_updated ON sign_in_throttles (updated_at);
