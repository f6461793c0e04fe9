-- Candidate data rights (SPEC.md section 14): consent records, the access log, deletion receipts
-- and tombstones.

-- The disclosure texts the candidate page was built with, so a consent names the exact words shown
-- even after a later release changes them. serve records the texts of its built page at start.
CREATE TABLE disclosure_versions (
  version    text        PRIMARY KEY,            -- sha256 of the language and the exact text
  lang       text        NOT NULL,
  text       text        NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now()
);

-- One row per consent given on the candidate page. user_agent is personal data: cleared on delete
-- and purge; the rest is the proof that stays.
CREATE TABLE consents (
  id           bigserial   PRIMARY KEY,
  interview_id text        NOT NULL REFERENCES interviews (id),
  at           timestamptz NOT NULL DEFAULT now(),
  version      text        NOT NULL,
  lang         text        NOT NULL,
  user_agent   text
);
CREATE INDEX consents_interview_idx ON consents (interview_id, id);

-- Who looked at a recording, a transcript, a report or an export, and when.
CREATE TABLE access_log (
  id           bigserial   PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  by_name      text        NOT NULL,
  what         text        NOT NULL,
  interview_id text        NOT NULL REFERENCES interviews (id),
  detail       jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX access_log_at_idx ON access_log (at);
CREATE INDEX access_log_interview_idx ON access_log (interview_id, at);

-- A deleted candidate's interview keeps its row as a tombstone: no name, email or ref, only
-- deleted_at and one-way hashes of the email and ref it had, so a repeated request for the same
-- person is answered "already deleted" instead of "not found".
ALTER TABLE interviews
  ADD COLUMN deleted_at timestamptz,
  ADD COLUMN erased_email_sha256 text,
  ADD COLUMN erased_ref_sha256 text;
CREATE INDEX interviews_erased_email_idx ON interviews (erased_email_sha256) WHERE erased_email_sha256 IS NOT NULL;
CREATE INDEX interviews_erased_ref_idx ON interviews (erased_ref_sha256) WHERE erased_ref_sha256 IS NOT NULL;
CREATE INDEX interviews_email_idx ON interviews (lower(candidate_email)) WHERE candidate_email IS NOT NULL;

-- Proof of a deletion: when, by whom, why, which storage keys and how many rows. Never personal
-- data. status 'incomplete' lists what is still to delete (remaining); a rerun finishes it.
CREATE TABLE deletion_receipts (
  id             bigserial   PRIMARY KEY,
  interview_id   text        NOT NULL UNIQUE REFERENCES interviews (id),
  requested_at   timestamptz NOT NULL DEFAULT now(),
  completed_at   timestamptz,
  by_name        text        NOT NULL,
  reason         text,
  status         text        NOT NULL CHECK (status IN ('incomplete', 'complete')),
  rows_deleted   jsonb       NOT NULL DEFAULT '{}',
  keys_deleted   jsonb       NOT NULL DEFAULT '[]',
  remaining      jsonb       NOT NULL DEFAULT '[]',
  local_deleted  jsonb       NOT NULL DEFAULT '[]',
  attempts       integer     NOT NULL DEFAULT 1,
  last_error     text
);

-- The event log stays append-only, with one exception: an erasure (a session that set
-- interviewctl.erasure = 'on') may blank the free-text reason an operator typed. Nothing else.
CREATE OR REPLACE FUNCTION interview_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND coalesce(current_setting('interviewctl.erasure', true), '') = 'on'
     AND NEW.id = OLD.id AND NEW.interview_id = OLD.interview_id AND NEW.at = OLD.at
     AND NEW.from_status IS NOT DISTINCT FROM OLD.from_status AND NEW.to_status = OLD.to_status
     AND NEW.actor = OLD.actor AND NEW.webhook_id IS NOT DISTINCT FROM OLD.webhook_id
     AND NEW.reason = '(erased)' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'interview_events is append-only';
END;
$$;

-- purge erases by the same table list as a deletion; its audit row keeps the count per table.
ALTER TABLE purge_audit ADD COLUMN rows_erased jsonb;
