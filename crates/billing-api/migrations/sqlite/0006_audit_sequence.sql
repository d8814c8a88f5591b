-- A per-account sequence for the audit log, so entries made in the same
-- second keep the order they happened in.

ALTER TABLE audit_log ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE audit_log SET seq = (
    SELECT COUNT(*) FROM audit_log AS earlier
    WHERE earlier.account_id = audit_log.account_id
      AND (earlier.at < audit_log.at OR (earlier.at = audit_log.at AND earlier.id <= audit_log.id))
);
CREATE INDEX audit_log_account_seq ON audit_log (account_id, seq);
