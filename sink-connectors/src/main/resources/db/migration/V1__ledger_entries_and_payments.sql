-- The ledger history served by GET /v1/accounts/{id}/entries: one row per balance movement, keyed by the account's
-- gapless entry sequence, so replaying the same audit records writes nothing new.
CREATE TABLE ledger_entries (
    account_id     VARCHAR(64)  NOT NULL,
    entry_seq      BIGINT       NOT NULL CHECK (entry_seq > 0),
    payment_id     VARCHAR(36)  NOT NULL,
    kind           VARCHAR(16)  NOT NULL CHECK (kind IN ('DEBIT', 'CREDIT', 'REVERSAL')),
    amount         BIGINT       NOT NULL,
    balance_after  BIGINT       NOT NULL,
    currency       CHAR(3)      NOT NULL,
    created_at     TIMESTAMPTZ  NOT NULL,
    audit_id       VARCHAR(300) NOT NULL UNIQUE,
    PRIMARY KEY (account_id, entry_seq)
);

-- The latest known status of every payment. A terminal status is never replaced (see the upsert).
CREATE TABLE payments (
    payment_id     VARCHAR(36)  PRIMARY KEY,
    type           VARCHAR(16),
    from_account   VARCHAR(64),
    to_account     VARCHAR(64),
    amount         BIGINT       NOT NULL,
    currency       VARCHAR(3),
    status         VARCHAR(16)  NOT NULL,
    reason         VARCHAR(32),
    created_at     TIMESTAMPTZ  NOT NULL,
    updated_at     TIMESTAMPTZ  NOT NULL,
    event_id       VARCHAR(80)  NOT NULL
);
