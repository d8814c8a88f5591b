-- A sender claims the e-mails it is about to send until a moment (a lease),
-- so several API instances on one database never send the same e-mail at
-- once; a claim left by a stopped sender lapses and the e-mail is retried.
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
