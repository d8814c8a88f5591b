//! The records the store reads and writes: plain data, one file per entity.

mod accounts;
mod audit;
mod bench;
mod cancel;
mod events;
mod gateway;
mod idempotency;
mod invoices;
mod ledger;
mod outbox;
mod overview;
mod security;
mod subscriptions;

pub use accounts::{
    erased_email, erased_email_hash, AccessRequestRecord, AccountBatch, AccountRecord,
    AccountSnapshot, NewAccount, PaymentMethodRecord, SessionActorRecord, SessionRecord,
    UserRecord,
};
pub use audit::AuditEntry;
pub use bench::{RenewalTally, Spread};
pub use cancel::{CancelSessionRecord, SaveRate};
pub use events::{EventAttempt, EventRecord, EventSnapshot, NewEvent};
pub use gateway::{GatewayChargeRecord, GatewayTokenRecord};
pub use idempotency::{IdempotencyBegin, StoredResponse};
pub use invoices::{CreditNoteRecord, InvoiceRecord, DEFAULT_PREFIX};
pub use ledger::{LedgerRecord, WithdrawalRecord};
pub use outbox::OutboxEmail;
pub use overview::OverviewRecord;
pub use security::{PasswordResetRecord, ThrottleRecord};
pub use subscriptions::SubscriptionRecord;
