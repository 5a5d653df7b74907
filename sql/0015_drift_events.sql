-- Drift events: a tenant's check that found its questions or answers unlike the reference window. Figures only
-- (statistics, thresholds, counts), no question text. They go with the tenant.
CREATE TABLE IF NOT EXISTS drift_events (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    breached    text[] NOT NULL,
    report      jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS drift_events_by_tenant ON drift_events (tenant_id, id DESC);
