-- RECORDER=agent: video frames the recorder could not hand to ffmpeg in time (ffmpeg was behind,
-- and the recorder keeps only a few raw frames queued). Their slots repeat the next picture, so
-- the recording stays in sync; `show` reports the count. Null for the other recorders.

ALTER TABLE interviews ADD COLUMN recorder_dropped_frames integer;
