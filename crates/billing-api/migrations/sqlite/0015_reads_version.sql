-- A counter per account that moves with every committed change to what the
-- billing overview reads (the subscription, its ledger, the users, the
-- cards, the invoices and their lines), in the same transaction as the
-- change, as migration 0008 of the PostgreSQL schema has it. The store may
-- then keep an overview it read together with the counter and serve it
-- again while a later read of the counter shows the same number: every
-- snapshot with that number holds the same overview. SQLite's triggers
-- fire once per row; each moves one account's counter by its key.

ALTER TABLE accounts ADD COLUMN reads_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER subscriptions_reads_ins AFTER INSERT ON subscriptions BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER subscriptions_reads_upd AFTER UPDATE ON subscriptions BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (OLD.account_id, NEW.account_id);
END;
CREATE TRIGGER subscriptions_reads_del AFTER DELETE ON subscriptions BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER ledger_entries_reads_ins AFTER INSERT ON ledger_entries BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER ledger_entries_reads_upd AFTER UPDATE ON ledger_entries BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (OLD.account_id, NEW.account_id);
END;
CREATE TRIGGER ledger_entries_reads_del AFTER DELETE ON ledger_entries BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER users_reads_ins AFTER INSERT ON users BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER users_reads_upd AFTER UPDATE ON users BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (OLD.account_id, NEW.account_id);
END;
CREATE TRIGGER users_reads_del AFTER DELETE ON users BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER payment_methods_reads_ins AFTER INSERT ON payment_methods BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER payment_methods_reads_upd AFTER UPDATE ON payment_methods BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (OLD.account_id, NEW.account_id);
END;
CREATE TRIGGER payment_methods_reads_del AFTER DELETE ON payment_methods BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER invoices_reads_ins AFTER INSERT ON invoices BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = NEW.account_id;
END;
CREATE TRIGGER invoices_reads_upd AFTER UPDATE ON invoices BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (OLD.account_id, NEW.account_id);
END;
CREATE TRIGGER invoices_reads_del AFTER DELETE ON invoices BEGIN
    UPDATE accounts SET reads_version = reads_version + 1 WHERE id = OLD.account_id;
END;

-- Invoice lines carry no account: their invoice's.
CREATE TRIGGER invoice_lines_reads_ins AFTER INSERT ON invoice_lines BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id = (SELECT account_id FROM invoices WHERE id = NEW.invoice_id);
END;
CREATE TRIGGER invoice_lines_reads_upd AFTER UPDATE ON invoice_lines BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id IN (SELECT account_id FROM invoices WHERE id IN (OLD.invoice_id, NEW.invoice_id));
END;
CREATE TRIGGER invoice_lines_reads_del AFTER DELETE ON invoice_lines BEGIN
    UPDATE accounts SET reads_version = reads_version + 1
    WHERE id = (SELECT account_id FROM invoices WHERE id = OLD.invoice_id);
END;
