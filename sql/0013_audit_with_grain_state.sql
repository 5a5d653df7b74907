-- Admin changes kept in grain state (tenant settings, ACL, routing, moderation settings, budget) are audited in the
-- same transaction as the change: the state write carries its audit entry in the stored envelope's top-level
-- "PendingAudit" member (a JSON text whose names are audit_log's columns, its states already sealed), and this
-- function stores the state without it and inserts the entry in the same statement. A stale version writes neither;
-- a refused insert fails the write.
CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_service_id                text,
    p_grain_id_hash             integer,
    p_grain_id_n0               bigint,
    p_grain_id_n1               bigint,
    p_grain_type_hash           integer,
    p_grain_type_string         text,
    p_grain_id_extension_string text,
    p_expected_version          integer,
    p_payload_binary            bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new     integer;
    v_payload bytea := p_payload_binary;
    v_json    jsonb;
    v_audit   jsonb;
BEGIN
    -- A cheap byte search first: only envelopes with an entry are parsed.
    IF p_payload_binary IS NOT NULL AND position(convert_to('"PendingAudit":"', 'UTF8') IN p_payload_binary) > 0 THEN
        v_json := convert_from(p_payload_binary, 'UTF8')::jsonb;
        IF jsonb_typeof(v_json -> 'PendingAudit') = 'string' THEN
            v_audit := (v_json ->> 'PendingAudit')::jsonb;
            v_payload := convert_to((v_json - 'PendingAudit')::text, 'UTF8');
        END IF;
    END IF;

    IF p_expected_version IS NULL THEN
        INSERT INTO orleans_grain_state (
            service_id, grain_type_hash, grain_type_string, grain_id_hash,
            grain_id_n0, grain_id_n1, grain_id_extension_string,
            payload_binary, version)
        VALUES (
            p_service_id, p_grain_type_hash, p_grain_type_string, p_grain_id_hash,
            p_grain_id_n0, p_grain_id_n1, p_grain_id_extension_string,
            v_payload, 1)
        ON CONFLICT (
            grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1,
            md5(grain_type_string), md5(grain_id_extension_string))
        DO NOTHING
        RETURNING version INTO v_new;
    ELSE
        UPDATE orleans_grain_state
           SET payload_binary = v_payload,
               version = version + 1,
               modified_at = now()
         WHERE grain_id_hash = p_grain_id_hash
           AND grain_type_hash = p_grain_type_hash
           AND service_id = p_service_id
           AND grain_id_n0 = p_grain_id_n0
           AND grain_id_n1 = p_grain_id_n1
           AND grain_type_string = p_grain_type_string
           AND grain_id_extension_string IS NOT DISTINCT FROM p_grain_id_extension_string
           AND version = p_expected_version
        RETURNING version INTO v_new;
    END IF;

    IF v_new IS NOT NULL AND v_audit IS NOT NULL THEN
        INSERT INTO audit_log (id, tenant_id, actor_key_id, actor_user_id, client_address, action, target, before, after)
        SELECT COALESCE(r.id, nextval(pg_get_serial_sequence('audit_log', 'id'))), r.tenant_id, r.actor_key_id,
               r.actor_user_id, r.client_address, r.action, COALESCE(r.target, ''), r.before, r.after
          FROM jsonb_populate_record(NULL::audit_log, v_audit) AS r;
    END IF;
    RETURN v_new;
END
$fn$;
