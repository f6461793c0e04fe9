-- The role's context (question_sets.context, the only facts the interviewer's model may tell a
-- candidate) is copied into each interview when it is created, like its questions: editing the set
-- afterwards changes no interview already sent. Null when the set had none.
ALTER TABLE interviews ADD COLUMN role_context text;

-- Links not yet started when this lands take their set's context now (before, the agent read the
-- set at the interview's start).
UPDATE interviews i SET role_context = qs.context
  FROM question_sets qs
  WHERE qs.name = i.question_set AND qs.lang = i.lang AND qs.context IS NOT NULL AND i.status IN ('created', 'used');
