-- A finished answer read back from the log (after its conversation moved or was deactivated) must end the way the live
-- stream ended: the number of its final event (so a client resuming from that event gets nothing more, not a second
-- done) and the finish reason its done event carried (stop, length, content_filter, stopped).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS final_event integer;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS finish_reason text;
