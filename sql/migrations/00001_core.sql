-- Interviews, their append-only event log, and question sets.

CREATE TABLE question_sets (
  name        text        NOT NULL,
  lang        text        NOT NULL CHECK (lang IN ('en', 'ja')),
  description text        NOT NULL DEFAULT '',
  questions   jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, lang)
);

CREATE TABLE interviews (
  id                   text        PRIMARY KEY,
  status               text        NOT NULL DEFAULT 'created'
                         CHECK (status IN ('created', 'used', 'recording', 'ending', 'completed',
                                           'expired', 'revoked', 'failed')),
  candidate_name       text        NOT NULL,
  candidate_email      text,
  ref                  text        UNIQUE,
  lang                 text        NOT NULL CHECK (lang IN ('en', 'ja')),
  duration_ms          integer     NOT NULL CHECK (duration_ms > 0),
  question_set         text        NOT NULL,
  -- A copy of the questions as they were when the invite was created.
  questions            jsonb       NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  expires_at           timestamptz NOT NULL,
  used_at              timestamptz,
  candidate_joined_at  timestamptz,
  recording_started_at timestamptz,
  ended_at             timestamptz,
  completed_at         timestamptz,
  end_reason           text,
  error                text,
  resume_key_hash      text,
  dispatch_id          text,
  recording_key        text,
  transcript_key       text,
  vtt_key              text,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interviews_created_at_idx ON interviews (created_at DESC);
-- Sweeps look only at links still waiting and sessions still live.
CREATE INDEX interviews_open_idx ON interviews (status, expires_at)
  WHERE status IN ('created', 'used', 'recording', 'ending');

CREATE TABLE interview_events (
  id           bigserial   PRIMARY KEY,
  interview_id text        NOT NULL REFERENCES interviews (id),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  from_status  text,
  to_status    text        NOT NULL,
  actor        text        NOT NULL,
  reason       text
);

CREATE INDEX interview_events_interview_idx ON interview_events (interview_id, id);

CREATE FUNCTION interview_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'interview_events is append-only';
END;
$$;

CREATE TRIGGER interview_events_no_update BEFORE UPDATE OR DELETE ON interview_events
  FOR EACH ROW EXECUTE FUNCTION interview_events_append_only();
