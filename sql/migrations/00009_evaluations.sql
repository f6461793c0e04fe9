-- The AI's advisory evaluation of a completed interview, a person's review beside it, and the
-- integrity notes the candidate page reports (tab hidden, window not focused). All keyed by
-- interview_id, so a candidate's data can be exported or deleted as a whole.

-- One row per evaluation run. The current one (at most one per interview) is what reports show;
-- a rerun (`evaluate --force`) keeps the earlier rows as history with current = false.
CREATE TABLE interview_evaluations (
  id               bigserial   PRIMARY KEY,
  interview_id     text        NOT NULL REFERENCES interviews (id),
  current          boolean     NOT NULL DEFAULT true,
  status           text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  -- Model calls made by this run, and runs of automatic retries (serve's sweep) so far.
  attempts         integer     NOT NULL DEFAULT 0,
  runs             integer     NOT NULL DEFAULT 1,
  -- A running evaluation whose lease passed (its process died) may be claimed again.
  lease_until      timestamptz,
  next_attempt_at  timestamptz,
  error            text,
  model            text,
  prompt_hash      text,
  rubric_hash      text,
  -- The scorecard: per-question scores with verified evidence, summary, advisory recommendation.
  result           jsonb,
  evaluation_key   text,
  trigger          text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);

CREATE UNIQUE INDEX interview_evaluations_current_idx ON interview_evaluations (interview_id) WHERE current;
CREATE INDEX interview_evaluations_retry_idx ON interview_evaluations (next_attempt_at) WHERE current AND status = 'failed';

-- A person's decision. Append-only history; the newest row is the decision in force.
CREATE TABLE interview_reviews (
  id           bigserial   PRIMARY KEY,
  interview_id text        NOT NULL REFERENCES interviews (id),
  decision     text        NOT NULL CHECK (decision IN ('advance', 'hold', 'decline')),
  note         text,
  -- {"<question number>": score}: the person's scores beside the AI's, which stay as they were.
  overrides    jsonb       NOT NULL DEFAULT '{}'::jsonb,
  reviewer     text        NOT NULL,
  evaluation_id bigint     REFERENCES interview_evaluations (id),
  at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interview_reviews_interview_idx ON interview_reviews (interview_id, id);

-- What the candidate page saw: the tab hidden or the window not focused, from when to when
-- (server clock). Shown to a person at their times; never scored.
CREATE TABLE interview_integrity_notes (
  id           bigserial   PRIMARY KEY,
  interview_id text        NOT NULL REFERENCES interviews (id),
  kind         text        NOT NULL CHECK (kind IN ('tab_hidden', 'window_blur')),
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz NOT NULL CHECK (ended_at >= started_at),
  received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX interview_integrity_notes_interview_idx ON interview_integrity_notes (interview_id, started_at);
