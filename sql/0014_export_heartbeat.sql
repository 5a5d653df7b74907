-- An export runs on the host that started it and touches heartbeat_at while it runs. A running export whose heartbeat
-- stopped (its host died) reads as 'interrupted', with a reason, and its tenant's admin can restart it.
ALTER TABLE data_exports ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE data_exports DROP CONSTRAINT IF EXISTS data_exports_status_check;
ALTER TABLE data_exports ADD CONSTRAINT data_exports_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted'));
