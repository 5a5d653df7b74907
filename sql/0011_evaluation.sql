-- Evaluation sets and their runs: a tenant's questions with the facts an answer must contain and the sources it must
-- cite, each asked as a named user so the knowledge ACL applies; a run keeps every case's answer and scores, and the
-- averages the promotion gate compares. Every row carries tenant_id and every query filters on it.

CREATE TABLE IF NOT EXISTS evaluation_sets (
    tenant_id   text NOT NULL,
    set_id      text NOT NULL,
    name        text NOT NULL,
    cases       jsonb NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, set_id)
);

CREATE TABLE IF NOT EXISTS evaluation_runs (
    tenant_id   text NOT NULL,
    run_id      text NOT NULL,
    set_id      text NOT NULL,
    model_id    text NOT NULL,
    purpose     text NOT NULL,
    summary     jsonb NOT NULL,
    cases       jsonb NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id)
);
CREATE INDEX IF NOT EXISTS evaluation_runs_by_set ON evaluation_runs (tenant_id, set_id, created_at DESC);
