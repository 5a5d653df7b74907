-- A deleted tenant's writes still in flight must not bring its data back: drift samples sent every half second, a
-- grain that writes its state when it deactivates, a reminder registered by a late call, a ledger or turn-details
-- batch, a re-embedding, the key ring creating a fresh data key for a late write. One mechanism for all of them, at
-- the database every writer ends in: erase_tenant leaves a marker that does not name the tenant (the fingerprint its
-- audit entry already uses), and every table that holds tenant rows without a foreign key to tenants keeps no new row
-- of a marked tenant (the ones with the key refuse it anyway). erase_tenant holds the tenant's lock exclusively and
-- every guarded insert shares it, so a write either commits before the deletion's statements run (and goes with
-- them) or sees the marker. Creating a tenant of the same id again clears the marker.
CREATE TABLE IF NOT EXISTS erased_tenants (
    fingerprint text PRIMARY KEY,
    erased_at   timestamptz NOT NULL DEFAULT now()
);

-- The first 16 hex digits of the SHA-256 of the id (DataRightsStore.Fingerprint).
CREATE OR REPLACE FUNCTION tenant_fingerprint(p_tenant text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT left(encode(sha256(convert_to(p_tenant, 'UTF8')), 'hex'), 16) $$;

-- The erasure's advisory lock: one of 1024 per class, so a batch across many tenants holds a bounded number of locks.
CREATE OR REPLACE FUNCTION tenant_erasure_lock_class() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1163022675 $$;
CREATE OR REPLACE FUNCTION tenant_erasure_lock(p_tenant text) RETURNS int
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT hashtext(p_tenant) & 1023 $$;

-- Whether the tenant was deleted; waits for a deletion of it in progress.
CREATE OR REPLACE FUNCTION tenant_erased(p_tenant text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF p_tenant IS NULL OR p_tenant = '' THEN RETURN false; END IF;
    PERFORM pg_advisory_xact_lock_shared(tenant_erasure_lock_class(), tenant_erasure_lock(p_tenant));
    RETURN EXISTS (SELECT 1 FROM erased_tenants WHERE fingerprint = tenant_fingerprint(p_tenant));
END $$;

-- Row guards for the tables written a row at a time or rarely: the row is skipped, not refused, so a caller's batch
-- of many tenants keeps the others' rows; a grain's write then reads as a stale version, and the key ring's insert
-- as a key it could not create.
CREATE OR REPLACE FUNCTION erased_tenant_skip_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE WHEN tenant_erased(NEW.tenant_id) THEN NULL ELSE NEW END;
END $$;

-- Grain state: the key is {tenant} or {tenant}/...; platform grains (_platform/...) are never marked.
CREATE OR REPLACE FUNCTION erased_tenant_skip_grain_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE WHEN tenant_erased(split_part(NEW.grain_id_extension_string, '/', 1)) THEN NULL ELSE NEW END;
END $$;

-- Reminders: the grain id is {type}/{tenant} or {type}/{tenant}/...
CREATE OR REPLACE FUNCTION erased_tenant_skip_reminder() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE WHEN tenant_erased(split_part(NEW.grain_id, '/', 2)) THEN NULL ELSE NEW END;
END $$;

-- The data tables written in batches: one check per tenant of a statement, after it, removing what it inserted for a
-- marked tenant (a row trigger cost about twice the insert itself).
CREATE OR REPLACE FUNCTION erased_tenant_drop_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
    FOR t IN SELECT DISTINCT tenant_id FROM inserted_rows LOOP
        IF tenant_erased(t) THEN
            EXECUTE format('DELETE FROM %I.%I WHERE tenant_id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME) USING t;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'usage_records', 'moderation_events', 'moderation_lexicons', 'moderation_lexicon_versions',
        'routing_turns', 'routing_feedback', 'routing_answer_cache', 'routing_semantic_cache', 'routing_batch_items']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS erased_tenant_drop ON %I', t);
        EXECUTE format('CREATE TRIGGER erased_tenant_drop AFTER INSERT ON %I REFERENCING NEW TABLE AS inserted_rows '
            'FOR EACH STATEMENT EXECUTE FUNCTION erased_tenant_drop_rows()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['audit_log', 'tenant_data_keys']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS erased_tenant_skip ON %I', t);
        EXECUTE format('CREATE TRIGGER erased_tenant_skip BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION erased_tenant_skip_row()', t);
    END LOOP;
END $$;
DROP TRIGGER IF EXISTS erased_tenant_skip ON orleans_grain_state;
CREATE TRIGGER erased_tenant_skip BEFORE INSERT ON orleans_grain_state FOR EACH ROW EXECUTE FUNCTION erased_tenant_skip_grain_state();
DROP TRIGGER IF EXISTS erased_tenant_skip ON orleans_reminder;
CREATE TRIGGER erased_tenant_skip BEFORE INSERT ON orleans_reminder FOR EACH ROW EXECUTE FUNCTION erased_tenant_skip_reminder();

-- A tenant created again under a deleted one's id starts clean and may write.
CREATE OR REPLACE FUNCTION erased_tenant_recreated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM erased_tenants WHERE fingerprint = tenant_fingerprint(NEW.tenant_id);
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS erased_tenant_recreated ON tenants;
CREATE TRIGGER erased_tenant_recreated AFTER INSERT ON tenants FOR EACH ROW EXECUTE FUNCTION erased_tenant_recreated();

-- A late re-embedding would create the deleted tenant's chunk partition again (its bound names the tenant): the
-- function of 0018 keeps its body under a new name, behind the check.
ALTER FUNCTION kb_ensure_partition(int, text) RENAME TO kb_create_partition;
CREATE OR REPLACE FUNCTION kb_ensure_partition(p_dims int, p_tenant text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF tenant_erased(p_tenant) THEN
        RAISE EXCEPTION 'the tenant was deleted' USING ERRCODE = 'P0002';
    END IF;
    RETURN kb_create_partition(p_dims, p_tenant);
END $$;

-- The deletion of 0009 keeps its body under a new name; the lock and the marker come first, in its transaction.
ALTER FUNCTION erase_tenant(text) RENAME TO erase_tenant_rows;
CREATE OR REPLACE FUNCTION erase_tenant(p_tenant text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    -- Writes of the tenant in flight commit before the deletes run, or wait and then see the marker.
    PERFORM pg_advisory_xact_lock(tenant_erasure_lock_class(), tenant_erasure_lock(p_tenant));
    IF EXISTS (SELECT 1 FROM tenants WHERE tenant_id = p_tenant) THEN
        INSERT INTO erased_tenants (fingerprint) VALUES (tenant_fingerprint(p_tenant))
        ON CONFLICT (fingerprint) DO UPDATE SET erased_at = now();
    END IF;
    RETURN erase_tenant_rows(p_tenant);
END $$;
