-- Audit log, key lifecycle and data rights.
--
-- audit_log is append-only: a trigger refuses UPDATE and DELETE unless the transaction has set
-- conversations.audit_erasure = 'on', which only the data-erasure functions below do (a deleted tenant's trail goes
-- with it; a deleted user's entries are kept with the user's id replaced). Entries never hold secrets: keys appear by
-- their public id only, and request bodies are stored with secret-looking fields replaced.
CREATE TABLE IF NOT EXISTS audit_log (
    id             bigserial PRIMARY KEY,
    tenant_id      text,                        -- null for platform-level actions (operator)
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_key_id   text,                        -- the API key that did it (public id), null for the platform itself
    actor_user_id  text,
    client_address text,
    action         text NOT NULL,               -- e.g. key.issue, key.revoke, user.delete, admin.change, acl.denied
    target         text NOT NULL DEFAULT '',
    before         jsonb,
    after          jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_by_tenant ON audit_log (tenant_id, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_by_action ON audit_log (tenant_id, action, id DESC);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('conversations.audit_erasure', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- TRUNCATE bypasses row triggers; refuse it too.
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Key lifecycle: a scope narrows what a key may do within its role (chat, read-only, admin, operator; null: all the
-- role allows); a rotated key names its successor and keeps working until its overlap ends (expires_at).
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS scope text;
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_scope_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_check CHECK (scope IN ('chat', 'read-only', 'admin', 'operator'));
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS rotated_to text;

-- Exports of a tenant or one user: the job row carries progress; the archive is kept until it expires.
CREATE TABLE IF NOT EXISTS data_exports (
    export_id    text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id      text,                            -- null: the whole tenant
    requested_by text NOT NULL,
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    steps_done   int NOT NULL DEFAULT 0,
    steps_total  int NOT NULL DEFAULT 0,
    error        text,
    archive      bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
CREATE INDEX IF NOT EXISTS data_exports_by_tenant ON data_exports (tenant_id, created_at DESC);

-- Everything derived from one conversation, besides the conversation row itself (which cascades to its messages):
-- moderation events, routing rows and feedback go; usage rows stay for the bill with the conversation and turn
-- anonymised. The answer caches hold questions and answers without a conversation id, so the tenant's caches are
-- emptied (they refill on the next questions).
CREATE OR REPLACE FUNCTION erase_conversation_derived(p_tenant text, p_conversation text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM moderation_events WHERE tenant_id = p_tenant AND conversation_id = p_conversation;
    DELETE FROM routing_turns WHERE tenant_id = p_tenant AND conversation_id = p_conversation;
    DELETE FROM routing_feedback WHERE tenant_id = p_tenant AND conversation_id = p_conversation;
    UPDATE usage_records SET conversation_id = '(deleted)', turn_id = '(deleted)'
        WHERE tenant_id = p_tenant AND conversation_id = p_conversation;
    DELETE FROM routing_answer_cache WHERE tenant_id = p_tenant;
    DELETE FROM routing_semantic_cache WHERE tenant_id = p_tenant;
    -- The conversation grain clears its state before the rows go; the cleared row would still carry the id.
    DELETE FROM orleans_grain_state
        WHERE grain_id_extension_string = p_tenant || '/' || p_conversation AND payload_binary IS NULL;
END $$;

-- Replaces an id in the audit trail's targets and JSON values (whole JSON strings and path segments only), so the
-- entries keep their shape without naming what was erased.
CREATE OR REPLACE FUNCTION audit_scrub(p_tenant text, p_id text, p_replacement text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE q text := to_jsonb(p_id)::text; r text := to_jsonb(p_replacement)::text;
BEGIN
    PERFORM set_config('conversations.audit_erasure', 'on', true);
    UPDATE audit_log SET
        target = regexp_replace(target, '(^|[/:])' || regexp_replace(p_id, '([.\\-])', '\\\1', 'g') || '($|/)', '\1' || p_replacement || '\2', 'g'),
        before = replace(before::text, q, r)::jsonb,
        after  = replace(after::text, q, r)::jsonb,
        actor_user_id = CASE WHEN actor_user_id = p_id THEN p_replacement ELSE actor_user_id END
    WHERE (p_tenant IS NULL OR tenant_id IS NOT DISTINCT FROM p_tenant)
      AND (strpos(target, p_id) > 0 OR strpos(before::text, q) > 0 OR strpos(after::text, q) > 0 OR actor_user_id = p_id);
    PERFORM set_config('conversations.audit_erasure', 'off', true);
END $$;

-- A user's data: conversations (and everything derived), memory (grain state), keys, feedback, moderation events,
-- exports they asked for. Usage stays as anonymous aggregates (user, conversation and turn ids replaced); audit
-- entries stay with the user's id replaced, so the trail keeps its shape without naming the person.
CREATE OR REPLACE FUNCTION erase_user(p_tenant text, p_user text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE c record; j record; n int := 0;
BEGIN
    -- Batch jobs: the owner is only in the job grain's state (JSON); its prompts and answers are in routing_batch_items.
    FOR j IN SELECT id, grain_id_extension_string AS grain_key, payload_binary FROM orleans_grain_state
             WHERE grain_type_string = 'batch-job' AND grain_id_extension_string LIKE p_tenant || '/%' AND payload_binary IS NOT NULL LOOP
        BEGIN
            IF convert_from(j.payload_binary, 'UTF8')::jsonb ->> 'UserId' = p_user THEN
                DELETE FROM routing_batch_items WHERE tenant_id = p_tenant AND job_id = substr(j.grain_key, length(p_tenant) + 2);
                DELETE FROM orleans_grain_state WHERE id = j.id;
            END IF;
        EXCEPTION WHEN invalid_text_representation OR character_not_in_repertoire OR untranslatable_character THEN
            NULL; -- a state that is not JSON text is not a batch job's
        END;
    END LOOP;
    FOR c IN SELECT conversation_id FROM conversations WHERE tenant_id = p_tenant AND user_id = p_user LOOP
        PERFORM erase_conversation_derived(p_tenant, c.conversation_id);
        n := n + 1;
    END LOOP;
    DELETE FROM conversations WHERE tenant_id = p_tenant AND user_id = p_user;
    DELETE FROM moderation_events WHERE tenant_id = p_tenant AND user_id = p_user;
    DELETE FROM routing_feedback WHERE tenant_id = p_tenant AND user_id = p_user;
    DELETE FROM routing_turns WHERE tenant_id = p_tenant AND user_id = p_user;
    UPDATE usage_records SET user_id = '(deleted)', conversation_id = '(deleted)', turn_id = '(deleted)'
        WHERE tenant_id = p_tenant AND user_id = p_user;
    DELETE FROM routing_answer_cache WHERE tenant_id = p_tenant;
    DELETE FROM routing_semantic_cache WHERE tenant_id = p_tenant;
    DELETE FROM api_keys WHERE tenant_id = p_tenant AND user_id = p_user;
    DELETE FROM data_exports WHERE tenant_id = p_tenant AND (user_id = p_user OR requested_by = p_user);
    DELETE FROM orleans_grain_state WHERE grain_id_extension_string = p_tenant || '/' || p_user;
    DELETE FROM users WHERE tenant_id = p_tenant AND user_id = p_user;
    PERFORM audit_scrub(p_tenant, p_user, '(deleted)');
    RETURN n;
END $$;

-- Every row of a tenant: its tables' rows, its chunk partitions (vectors), its grain states and reminders, its keys
-- and its audit trail. The caller records the deletion itself under a fingerprint of the id, not the id.
CREATE OR REPLACE FUNCTION erase_tenant(p_tenant text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE part record; existed boolean;
BEGIN
    SELECT EXISTS (SELECT 1 FROM tenants WHERE tenant_id = p_tenant) INTO existed;
    FOR part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname LIKE 'kb\_chunks\_%' AND c.relname = p.relname || '_' || substr(md5(p_tenant), 1, 16)
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I', part.relname);
    END LOOP;
    DELETE FROM messages WHERE tenant_id = p_tenant;
    DELETE FROM usage_records WHERE tenant_id = p_tenant;
    DELETE FROM moderation_events WHERE tenant_id = p_tenant;
    DELETE FROM moderation_lexicons WHERE tenant_id = p_tenant;
    DELETE FROM moderation_lexicon_versions WHERE tenant_id = p_tenant;
    DELETE FROM routing_turns WHERE tenant_id = p_tenant;
    DELETE FROM routing_feedback WHERE tenant_id = p_tenant;
    DELETE FROM routing_answer_cache WHERE tenant_id = p_tenant;
    DELETE FROM routing_semantic_cache WHERE tenant_id = p_tenant;
    DELETE FROM routing_batch_items WHERE tenant_id = p_tenant;
    DELETE FROM orleans_grain_state
        WHERE grain_id_extension_string = p_tenant OR grain_id_extension_string LIKE p_tenant || '/%';
    DELETE FROM orleans_reminder WHERE grain_id LIKE '%/' || p_tenant OR grain_id LIKE '%/' || p_tenant || '/%';
    DELETE FROM tenants WHERE tenant_id = p_tenant; -- cascades: users, keys, conversations, documents, labels, exports
    PERFORM set_config('conversations.audit_erasure', 'on', true);
    DELETE FROM audit_log WHERE tenant_id = p_tenant;
    PERFORM set_config('conversations.audit_erasure', 'off', true);
    -- The platform's entries (tenant creation) and other tenants' refusals may name it too.
    PERFORM audit_scrub(NULL, p_tenant, '(deleted tenant)');
    RETURN existed;
END $$;

-- Web origins a tenant's browser clients call the API from (CORS). A preflight is answered for an origin some tenant
-- lists; the request itself only when the caller's tenant lists it.
CREATE TABLE IF NOT EXISTS tenant_cors_origins (
    tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    origin    text NOT NULL,
    PRIMARY KEY (tenant_id, origin)
);
CREATE INDEX IF NOT EXISTS tenant_cors_origins_by_origin ON tenant_cors_origins (origin);
