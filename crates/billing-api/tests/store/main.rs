//! The store's conformance suite: the contract of the `Store` trait, tested
//! the same way on whichever engine `TEST_DATABASE_URL` names (a PostgreSQL
//! cluster, on which each test makes its own database; unset, a fresh
//! SQLite file per test). Tests call the trait only, never SQL.

#[path = "../support/database.rs"]
mod database;

mod accounts;
mod batch;
mod concurrency;
mod events;
mod fixtures;
mod idempotency;
mod invoices;
mod many;
mod outbox;
mod reads;
mod security;
