-- What was said in an interview, written by the agent as it happens. Offsets are ms from the
-- recording start; text is null when speech was kept as audio only (offline mode).

CREATE TABLE utterances (
  id             bigserial   PRIMARY KEY,
  interview_id   text        NOT NULL REFERENCES interviews (id),
  seq            integer     NOT NULL,
  speaker        text        NOT NULL CHECK (speaker IN ('agent', 'candidate')),
  kind           text        NOT NULL,
  question_index integer,
  text           text,
  start_ms       integer     NOT NULL CHECK (start_ms >= 0),
  end_ms         integer     NOT NULL CHECK (end_ms >= start_ms),
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (interview_id, seq)
);
