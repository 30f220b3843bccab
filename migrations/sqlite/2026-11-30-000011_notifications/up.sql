-- Webhook endpoints that integrators register. The secret is kept as given out: signing needs
-- the key itself (a hash would not do), so this table is as sensitive as the API's.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    -- A JSON array of event names, such as ["decision.updated", "case.*"].
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    -- Set when deliveries failed for too long; the reason says why, for the admin.
    disabled_at TIMESTAMP,
    disabled_reason TEXT
);

-- Everything that goes out (webhook deliveries, and later mail), written in the transaction
-- of the change that caused it and sent by a background worker.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'mail')),
    endpoint_id TEXT REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    -- Items of one queue go out one at a time in seq order (a webhook endpoint and a record).
    queue TEXT NOT NULL,
    -- What makes a mail unique (recipient, kind, date): nothing is sent twice for it.
    idempotency_key TEXT UNIQUE,
    recipient TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Retries give up this long after it became due (created, or asked to be sent again).
    due_since TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker that took the item holds it until then; another may take it after.
    lease_until TIMESTAMP,
    last_error TEXT,
    delivered_at TIMESTAMP
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_queue_idx ON outbox (queue, seq);
CREATE INDEX outbox_endpoint_idx ON outbox (endpoint_id, seq);

-- Every try to send an item: the delivery log.
CREATE TABLE outbox_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    -- The HTTP status the receiver answered, when it answered.
    response_status INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX outbox_attempts_outbox_idx ON outbox_attempts (outbox_id, seq);

-- Where an owner (a person, or a body such as Analysegruppen) gets reminders, and which.
CREATE TABLE owner_contacts (
    owner_id TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    -- Stored in lower case: one contact an address.
    email TEXT NOT NULL,
    -- A JSON array of the reminders wanted: "before", "due", "overdue".
    reminders TEXT NOT NULL,
    PRIMARY KEY (owner_id, email)
);

-- One row per reminder decided (point, recipient, kind, date), in the transaction that put its
-- mail in the outbox: the key is what keeps a reminder from going out twice, across restarts
-- and instances.
CREATE TABLE reminder_keys (
    reminder_key TEXT PRIMARY KEY NOT NULL,
    outbox_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    decision_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reminder_keys_outbox_idx ON reminder_keys (outbox_id);
