-- Outbound webhooks (SPEC.md section 13): endpoints, the transactional outbox of events, and one
-- delivery row per event and endpoint. An event row is written by the same transaction as the
-- change it reports; a trigger fans it out to the endpoints subscribed at that moment, in that
-- transaction too, and wakes the senders (NOTIFY is delivered on commit, never on rollback).

CREATE TABLE hook_endpoints (
  id                  text        PRIMARY KEY,
  url                 text        NOT NULL,
  description         text        NOT NULL DEFAULT '',
  events              text[],                            -- NULL: every event type
  secret              text        NOT NULL,              -- whsec_…, signs every delivery
  previous_secret     text,                              -- still signs (second signature) during a rotation
  previous_until      timestamptz,
  allow_private       boolean     NOT NULL DEFAULT false,
  disabled_at         timestamptz,
  disabled_reason     text,
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hook_events (
  seq          bigserial   PRIMARY KEY,                   -- order of the changes
  id           text        NOT NULL UNIQUE,               -- evt_…, the webhook-id on every attempt
  type         text        NOT NULL,
  interview_id text,                                      -- no foreign key: candidate.deleted outlives the row
  data         json        NOT NULL,                      -- json, not jsonb: keeps the keys in the order written
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX hook_events_interview_idx ON hook_events (interview_id, seq);
CREATE INDEX hook_events_created_idx ON hook_events (created_at);

CREATE TABLE hook_deliveries (
  id              bigserial   PRIMARY KEY,
  event_seq       bigint      NOT NULL REFERENCES hook_events (seq) ON DELETE CASCADE,
  endpoint_id     text        NOT NULL REFERENCES hook_endpoints (id) ON DELETE CASCADE,
  -- Deliveries with the same endpoint and order key go one at a time, in event order: the
  -- interview id, or the event's own id for events about no interview.
  order_key       text        NOT NULL,
  state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  retry_until     timestamptz NOT NULL DEFAULT now() + interval '24 hours',
  leased_until    timestamptz,                            -- a sender is on it until then
  last_attempt_at timestamptz,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX hook_deliveries_due_idx ON hook_deliveries (next_attempt_at, event_seq) WHERE state = 'pending';
CREATE INDEX hook_deliveries_chain_idx ON hook_deliveries (endpoint_id, order_key, event_seq) WHERE state = 'pending';
CREATE INDEX hook_deliveries_event_idx ON hook_deliveries (event_seq);
CREATE INDEX hook_deliveries_endpoint_idx ON hook_deliveries (endpoint_id, id DESC);
-- What is not delivered yet (or was given up), per endpoint: backlog figures for list, watch, doctor.
CREATE INDEX hook_deliveries_open_idx ON hook_deliveries (endpoint_id, id DESC) WHERE state <> 'delivered';

CREATE FUNCTION hook_events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hook_deliveries (event_seq, endpoint_id, order_key)
  SELECT n.seq, e.id, coalesce(n.interview_id, n.id)
  FROM new_events n
  JOIN hook_endpoints e ON e.disabled_at IS NULL AND (e.events IS NULL OR n.type = ANY (e.events))
  ORDER BY n.seq, e.id;
  IF FOUND THEN
    PERFORM pg_notify('hook_outbox', '');
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER hook_events_fan_out AFTER INSERT ON hook_events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION hook_events_fan_out();

-- interview.started is sent once per interview: at the candidate's first join seen in the room,
-- or when the recorder starts if LiveKit's webhook never came.
CREATE UNIQUE INDEX hook_events_started_once ON hook_events (interview_id) WHERE type = 'interview.started';

-- Event ids and times as they appear in bodies: evt_ + 32 hex digits; ISO 8601 UTC with milliseconds.
CREATE FUNCTION hook_event_id() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'evt_' || replace(gen_random_uuid()::text, '-', '')
$$;

CREATE FUNCTION hook_ts(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
