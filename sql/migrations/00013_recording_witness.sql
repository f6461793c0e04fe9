-- RECORDER=browser: how the candidate page's recording compared with the interviewer's audio
-- witness ({agrees, detail, recordingMs, witnessMs, speechWithoutWitnessS, witnessKey}); `show`
-- and `report` flag a disagreement for a person. Null for the other recorders.

ALTER TABLE interviews ADD COLUMN recording_check jsonb;
