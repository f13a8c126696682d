-- Balances at a point in time (issue 30): the account's state after each ledger decision that changed it, as the
-- journal's records carry it (AccountSnapshot). state_seq counts those decisions per account without gaps, so a copy
-- that holds an account's state_seq N holds every earlier one, and replaying the journal writes nothing new.
CREATE TABLE balance_history (
    account_id      VARCHAR(64)  NOT NULL,
    state_seq       BIGINT       NOT NULL CHECK (state_seq > 0),
    entry_seq       BIGINT       NOT NULL CHECK (entry_seq >= 0),
    balance         BIGINT       NOT NULL,
    held            BIGINT       NOT NULL,
    overdraft_limit BIGINT       NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    changed_at      TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (account_id, state_seq)
);
-- ?at= looks for the latest state at or before an instant.
CREATE INDEX balance_history_changed_at ON balance_history (account_id, changed_at);
