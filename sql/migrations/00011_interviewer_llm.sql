-- The AI interviewer (SPEC section 11).
-- Question sets: the role's context (the only facts the model may tell a candidate) and the
-- default number of follow-ups per question; per-question rubric/competency/followUps live in
-- the questions JSON, and are copied into each interview with the questions.
ALTER TABLE question_sets
  ADD COLUMN context text,
  ADD COLUMN follow_ups integer CHECK (follow_ups BETWEEN 0 AND 3);

-- The mode an interview ran in, decided by the agent at its start: 'llm' (detail = the model) or
-- 'scripted' (detail = why). Null for interviews that never started, or started before this.
ALTER TABLE interviews
  ADD COLUMN interviewer_mode text CHECK (interviewer_mode IN ('llm', 'scripted')),
  ADD COLUMN interviewer_detail text;

-- Latencies of each interviewer turn, so every interview's can be read back: end of the answer
-- (VAD) → transcript final, the model's first token and whole reply, text-to-speech's first audio,
-- and end of answer → first audio the candidate hears. `replaced` says why a model's reply was
-- swapped for the scripted line (late, empty, too_long, wrong_language, unsafe, error).
CREATE TABLE turn_metrics (
  id                     bigserial   PRIMARY KEY,
  interview_id           text        NOT NULL REFERENCES interviews (id),
  seq                    integer     NOT NULL,
  question_index         integer,
  kind                   text        NOT NULL,
  eou_delay_ms           integer,
  transcription_delay_ms integer,
  llm_ttft_ms            integer,
  llm_duration_ms        integer,
  tts_ttfb_ms            integer,
  first_audio_ms         integer,
  replaced               text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (interview_id, seq)
);
