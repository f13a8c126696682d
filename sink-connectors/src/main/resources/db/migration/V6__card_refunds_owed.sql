-- What PayStream owes cardholders (issue 26): an approved card charge whose payee could no longer take the credit is
-- refunded at the acquirer. From the moment the ledger refuses the credit (CHARGE_REFUND_OWED in the journal) until the
-- acquirer confirms the refund (CHARGE_REFUNDED), the row's refunded_at is NULL: the sum of those rows per currency is
-- the liability now. One row per card top-up; written again after a replay, it changes nothing.
CREATE TABLE card_refunds_owed (
    payment_id   VARCHAR(36)  PRIMARY KEY,
    account_id   VARCHAR(64)  NOT NULL,
    amount       BIGINT       NOT NULL CHECK (amount > 0),
    currency     CHAR(3)      NOT NULL,
    reason       VARCHAR(32),
    detail       TEXT,
    owed_at      TIMESTAMPTZ  NOT NULL,
    refunded_at  TIMESTAMPTZ
);
CREATE INDEX card_refunds_owed_outstanding ON card_refunds_owed (currency) WHERE refunded_at IS NULL;
