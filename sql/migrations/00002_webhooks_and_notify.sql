-- LiveKit webhook deliveries, stored raw, and change notifications for live views and the agent.

CREATE TABLE webhook_events (
  id                   text        PRIMARY KEY,          -- LiveKit's event id
  event                text        NOT NULL,
  room_name            text,
  interview_id         text        REFERENCES interviews (id),
  participant_identity text,
  created_at           timestamptz,                      -- when LiveKit says it happened
  body                 text        NOT NULL,             -- the raw body as delivered
  received_at          timestamptz NOT NULL DEFAULT now(),
  applied_at           timestamptz,
  error                text
);

CREATE INDEX webhook_events_interview_idx ON webhook_events (interview_id, received_at);
CREATE INDEX webhook_events_received_idx ON webhook_events (received_at);

-- Every state change is announced on channel interview_changed as "<id> <from> <to>", and every
-- ending as well on interview_end so the agent can stop at once.
CREATE FUNCTION interview_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('interview_changed', NEW.interview_id || ' ' || coalesce(NEW.from_status, '-') || ' ' || NEW.to_status);
  RETURN NULL;
END;
$$;

CREATE TRIGGER interview_events_notify AFTER INSERT ON interview_events
  FOR EACH ROW EXECUTE FUNCTION interview_events_notify();
