-- The pending items of batch jobs, by job: a running job reads its next prompt from here on every step (the primary key
-- made it step over every finished item of the job first), and a submission counts the tenant's unfinished jobs here.
CREATE INDEX IF NOT EXISTS routing_batch_items_pending ON routing_batch_items (tenant_id, job_id, item_index) WHERE status = 'pending';
