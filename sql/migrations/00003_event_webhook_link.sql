-- An event written because of a LiveKit webhook names that delivery, so applying the same
-- delivery again (a duplicate, or `webhooks replay`) adds nothing.
ALTER TABLE interview_events ADD COLUMN webhook_id text;
CREATE UNIQUE INDEX interview_events_webhook_idx ON interview_events (webhook_id) WHERE webhook_id IS NOT NULL;
