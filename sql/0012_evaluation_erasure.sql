-- A tenant's evaluation sets and runs go with the tenant: erase_tenant deletes the tenants row, and these follow it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'evaluation_sets_tenant_fk') THEN
        ALTER TABLE evaluation_sets ADD CONSTRAINT evaluation_sets_tenant_fk
            FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id) ON DELETE CASCADE NOT VALID;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'evaluation_runs_tenant_fk') THEN
        ALTER TABLE evaluation_runs ADD CONSTRAINT evaluation_runs_tenant_fk
            FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id) ON DELETE CASCADE NOT VALID;
    END IF;
END $$;
