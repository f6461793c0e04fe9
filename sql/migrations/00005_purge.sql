-- Retention: interviews whose personal data was purged keep an anonymous row, and every purge
-- leaves an audit row with counts only.
ALTER TABLE interviews ADD COLUMN purged_at timestamptz;

CREATE TABLE purge_audit (
  id                  bigserial   PRIMARY KEY,
  at                  timestamptz NOT NULL DEFAULT now(),
  interview_id        text        NOT NULL REFERENCES interviews (id),
  interview_created   timestamptz NOT NULL,
  status              text        NOT NULL,
  objects_deleted     integer     NOT NULL,
  utterances_deleted  integer     NOT NULL,
  webhooks_deleted    integer     NOT NULL,
  retention           text        NOT NULL
);
