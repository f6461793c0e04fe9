-- RECORDER=egress: the LiveKit Egress that records an interview, so an operator (or a later
-- reconcile) can look it up or stop it. Null for the agent's own recorder and for RECORDER=off.

ALTER TABLE interviews ADD COLUMN egress_id text;
