-- An evaluation run is a job: stored as 'running' when it starts, its progress (cases done of total) and a heartbeat
-- written after each case and while a case waits, then 'completed' with its summary and results, or 'failed' with the
-- reason. A running run whose heartbeat stopped (its host stopped) reads as failed. Runs stored before are completed.
ALTER TABLE evaluation_runs ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'completed';
ALTER TABLE evaluation_runs ADD COLUMN IF NOT EXISTS cases_done integer NOT NULL DEFAULT 0;
ALTER TABLE evaluation_runs ADD COLUMN IF NOT EXISTS cases_total integer NOT NULL DEFAULT 0;
ALTER TABLE evaluation_runs ADD COLUMN IF NOT EXISTS error text;
ALTER TABLE evaluation_runs ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE evaluation_runs ALTER COLUMN summary DROP NOT NULL;
UPDATE evaluation_runs SET cases_done = (summary ->> 'cases')::int, cases_total = (summary ->> 'cases')::int
    WHERE status = 'completed' AND cases_total = 0 AND summary ? 'cases';

-- An evaluation case's turn is billed under its own usage kind, apart from the tenant's chat.
ALTER TABLE usage_records DROP CONSTRAINT IF EXISTS usage_records_kind_check;
ALTER TABLE usage_records ADD CONSTRAINT usage_records_kind_check CHECK (kind IN ('turn', 'summary', 'batch', 'evaluation'));
