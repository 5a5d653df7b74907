-- A batch job's owner beside its items: a user's deletion or export finds the user's jobs with one query instead of
-- waking every job grain of the tenant to read the owner from its sealed state. Items stored before this carry no
-- owner; their jobs are still asked.
ALTER TABLE routing_batch_items ADD COLUMN IF NOT EXISTS user_id text;
