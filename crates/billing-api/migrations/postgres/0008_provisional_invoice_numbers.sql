-- An invoice is inserted under a provisional `seq` (the negative of this
-- sequence's next value, never shared, never waited for) and given its
-- vendor-wide number just before its transaction commits, so the one
-- `document_sequences` row each numbering locks is held for the end of a
-- transaction only, not from the invoice's insert to its commit. No
-- provisional number outlives its transaction.
CREATE SEQUENCE invoice_provisional_seq;
