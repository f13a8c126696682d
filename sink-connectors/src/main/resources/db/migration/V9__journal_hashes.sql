-- The journal's hash chain (issue 30): each movement keeps the hash of its account's previous movement and its own,
-- as the ledger computed them, so that the copy can be verified on its own (make verify-journal). Entries copied
-- before the chain existed have neither.
ALTER TABLE ledger_entries ADD COLUMN prev_hash CHAR(64);
ALTER TABLE ledger_entries ADD COLUMN hash CHAR(64);
