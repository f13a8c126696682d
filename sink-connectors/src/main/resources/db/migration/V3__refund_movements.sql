-- A refund moves money with movement kinds of its own (issue 14): REFUND debits the payee, REFUND_CREDIT credits
-- the payer, REFUND_REVERSAL repays the payee when the payer could not take it. action_id names the capture or the
-- refund a movement carries out, so that the history API can link a refund's entries to GET /v1/refunds/{refundId}.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('DEBIT', 'CREDIT', 'REVERSAL', 'CAPTURE', 'REFUND', 'REFUND_CREDIT', 'REFUND_REVERSAL'));
ALTER TABLE ledger_entries ADD COLUMN action_id VARCHAR(36);
