-- Retention (issue 26): finished webhook deliveries with their attempts, and the email send log, are deleted once
-- older than a configurable age, so that these tables do not grow for ever. A replay of notifications older than that
-- (an offset reset far back) would deliver or send them again; the ages default to 30 days for that reason.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE state <> 'PENDING';
CREATE INDEX email_messages_sent_at ON email_messages (sent_at);
