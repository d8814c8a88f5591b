-- A counter per account that moves with every committed change to what the
-- billing overview reads (the subscription, its ledger, the active users,
-- the cards, the invoices and their lines), in the same transaction as the
-- change. An instance may then keep an overview it read together with the
-- counter and serve it again while a later read of the counter shows the
-- same number: every snapshot with that number holds the same overview.
-- The triggers fire once per statement, so a statement that writes many
-- rows (a chunk of renewals) moves each account's counter once.

ALTER TABLE accounts ADD COLUMN reads_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_reads_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (SELECT DISTINCT account_id FROM changed);
    RETURN NULL;
END;
$$;

-- Invoice lines carry no account: their invoice's.
CREATE FUNCTION bump_reads_version_of_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (SELECT i.account_id FROM invoices i WHERE i.id IN (SELECT invoice_id FROM changed));
    RETURN NULL;
END;
$$;

CREATE TRIGGER subscriptions_reads_ins AFTER INSERT ON subscriptions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER subscriptions_reads_upd AFTER UPDATE ON subscriptions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER subscriptions_reads_del AFTER DELETE ON subscriptions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();

CREATE TRIGGER ledger_entries_reads_ins AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER ledger_entries_reads_upd AFTER UPDATE ON ledger_entries
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER ledger_entries_reads_del AFTER DELETE ON ledger_entries
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();

CREATE TRIGGER users_reads_ins AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER users_reads_upd AFTER UPDATE ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER users_reads_del AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();

CREATE TRIGGER payment_methods_reads_ins AFTER INSERT ON payment_methods
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER payment_methods_reads_upd AFTER UPDATE ON payment_methods
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER payment_methods_reads_del AFTER DELETE ON payment_methods
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();

CREATE TRIGGER invoices_reads_ins AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER invoices_reads_upd AFTER UPDATE ON invoices
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();
CREATE TRIGGER invoices_reads_del AFTER DELETE ON invoices
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version();

CREATE TRIGGER invoice_lines_reads_ins AFTER INSERT ON invoice_lines
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version_of_lines();
CREATE TRIGGER invoice_lines_reads_upd AFTER UPDATE ON invoice_lines
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version_of_lines();
CREATE TRIGGER invoice_lines_reads_del AFTER DELETE ON invoice_lines
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_reads_version_of_lines();
