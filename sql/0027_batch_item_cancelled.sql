-- A cancelled job's unrun items end 'cancelled' (with their prompt, masked), not 'failed' with the prompt emptied.
ALTER TABLE routing_batch_items DROP CONSTRAINT IF EXISTS routing_batch_items_status_check;
ALTER TABLE routing_batch_items ADD CONSTRAINT routing_batch_items_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled'));
