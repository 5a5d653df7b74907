-- A user's erasure deletes the user's own grain state only (the 'user' state), not every state whose key ends in the
-- same text: a conversation or batch job keyed {tenant}/{id} with an id equal to a user id was erased with that user.
-- The body is erase_user_rows as 0009 defined it (0029 renamed it), with that one change.
CREATE OR REPLACE FUNCTION erase_user_rows(p_tenant text, p_user text) RETURNS int
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
    DELETE FROM orleans_grain_state WHERE grain_id_extension_string = p_tenant || '/' || p_user AND grain_type_string = 'user';
    DELETE FROM users WHERE tenant_id = p_tenant AND user_id = p_user;
    PERFORM audit_scrub(p_tenant, p_user, '(deleted)');
    RETURN n;
END $$;
