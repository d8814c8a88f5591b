//! What the store keeps for idempotency keys: the stored response and the
//! answer to a key's first use.

/// A stored response to replay for a repeated idempotency key.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

/// What an idempotency key says about a request.
#[derive(Debug, Clone)]
pub enum IdempotencyBegin {
    /// First use: run the request, then finish or abandon the key.
    New,
    /// Seen with the same request: replay this.
    Replay(StoredResponse),
    /// Seen with the same request, still running.
    InProgress,
    /// Seen with a different request.
    Mismatch,
}
