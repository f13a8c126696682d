-- Webhook deliveries (issue 16). The webhook sink turns each notification into events and queues one delivery per
-- matching endpoint here, in the same database as the journal copy; the dispatcher sends them and records each
-- attempt. A delivery is the unit of retry: at most one is in flight per (endpoint, account), oldest first, so that an
-- endpoint sees an account's events in order.

-- Endpoints as the sink last read them from webhooks.endpoints.v1 (no secrets): who owns the deliveries.
CREATE TABLE webhook_endpoints (
    endpoint_id  VARCHAR(40)  PRIMARY KEY,
    client_id    VARCHAR(64)  NOT NULL,
    url          TEXT         NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    deleted      BOOLEAN      NOT NULL DEFAULT FALSE,
    updated_at   TIMESTAMPTZ  NOT NULL
);

CREATE TABLE webhook_deliveries (
    delivery_id      BIGSERIAL    PRIMARY KEY,
    endpoint_id      VARCHAR(40)  NOT NULL,
    event_id         VARCHAR(40)  NOT NULL,
    event_type       VARCHAR(40)  NOT NULL,
    account_id       VARCHAR(64)  NOT NULL,
    -- Where the notification was in payments.notifications.v1, then the event's place within it: the order of an
    -- account's events (one account's notifications share a partition).
    source_partition INTEGER      NOT NULL,
    source_offset    BIGINT       NOT NULL,
    source_index     SMALLINT     NOT NULL,
    payload          TEXT         NOT NULL,
    state            VARCHAR(16)  NOT NULL CHECK (state IN ('PENDING', 'DELIVERED', 'DEAD', 'CANCELLED')),
    attempts         INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ  NOT NULL,
    -- Set while an attempt is in flight, by the task that sends it; an expired lease is an attempt that never ended.
    lease_until      TIMESTAMPTZ,
    leased_by        VARCHAR(200),
    last_status      INTEGER,
    last_error       TEXT,
    created_at       TIMESTAMPTZ  NOT NULL,
    finished_at      TIMESTAMPTZ,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, account_id, source_partition,
    source_offset, source_index) WHERE state = 'PENDING';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, delivery_id);

CREATE TABLE webhook_attempts (
    delivery_id  BIGINT       NOT NULL REFERENCES webhook_deliveries (delivery_id),
    attempt      INTEGER      NOT NULL,
    started_at   TIMESTAMPTZ  NOT NULL,
    duration_ms  INTEGER,
    status_code  INTEGER,
    -- SUCCEEDED, FAILED, or ABANDONED when the sender stopped before the answer (the event is sent again)
    outcome      VARCHAR(16),
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
