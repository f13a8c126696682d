-- Emails sent by the email sink (issue 16): one row per notification emailed, written right after the SMTP server
-- accepted the message, so that a replayed notification is not emailed again.
CREATE TABLE email_messages (
    notification_id  VARCHAR(200) PRIMARY KEY,
    account_id       VARCHAR(64)  NOT NULL,
    address          VARCHAR(254) NOT NULL,
    subject          TEXT         NOT NULL,
    message_id       VARCHAR(100) NOT NULL,
    sent_at          TIMESTAMPTZ  NOT NULL
);
