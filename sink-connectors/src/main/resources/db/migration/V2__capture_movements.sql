-- A captured authorization debits the payer with its own movement kind (issue 14), which the history API serves like
-- any other balance movement.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('DEBIT', 'CREDIT', 'REVERSAL', 'CAPTURE'));
