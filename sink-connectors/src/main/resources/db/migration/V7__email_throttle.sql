-- Rejection emails are throttled per account and per address (issue 26): an empty account given a victim's address
-- and sent repeated 1-unit transfers would otherwise make PayStream mail "declined" to that address on every request.
-- A throttled notification is recorded too (throttled, no message), so that a replay does not send it after all.
ALTER TABLE email_messages ADD COLUMN status VARCHAR(32);
ALTER TABLE email_messages ADD COLUMN throttled BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE email_messages ALTER COLUMN message_id DROP NOT NULL;
CREATE INDEX email_messages_rejections_by_account ON email_messages (account_id, sent_at)
    WHERE status = 'REJECTED' AND NOT throttled;
CREATE INDEX email_messages_rejections_by_address ON email_messages (address, sent_at)
    WHERE status = 'REJECTED' AND NOT throttled;
