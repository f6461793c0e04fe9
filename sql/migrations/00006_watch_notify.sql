-- New interviews are announced too, so live views (`interviewctl watch`) show fresh links without
-- polling. One notification per statement, not per row: a batch create of 100,000 invites costs
-- one "* - created" on channel interview_changed, and the listener reads the newest rows itself.
-- Listeners that look for their own interview id ignore "*".

CREATE FUNCTION interviews_created_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('interview_changed', '* - created');
  RETURN NULL;
END;
$$;

CREATE TRIGGER interviews_created_notify AFTER INSERT ON interviews
  FOR EACH STATEMENT EXECUTE FUNCTION interviews_created_notify();
