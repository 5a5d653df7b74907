-- Two uploads that are a new tenant's first both create its partition. The second waited on the advisory lock while
-- the first created it, but its look-up could still miss the committed table and fail with "relation already exists"
-- (42P07). The create now tolerates a table that appeared meanwhile.
CREATE OR REPLACE FUNCTION kb_ensure_partition(p_dims int, p_tenant text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    parent text := kb_ensure_chunk_table(p_dims);
    part   text := parent || '_' || substr(md5(p_tenant), 1, 16);
BEGIN
    IF to_regclass(part) IS NOT NULL THEN RETURN part; END IF;
    PERFORM pg_advisory_xact_lock(hashtext('kb_partition:' || part));
    BEGIN
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES IN (%L)', part, parent, p_tenant);
    EXCEPTION WHEN duplicate_table THEN
        NULL; -- created by the upload that held the lock before us
    END;
    RETURN part;
END $$;
