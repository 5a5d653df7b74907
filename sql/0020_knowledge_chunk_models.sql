-- Each chunk records the embedding model that made its vector. A question embedded by one model is compared only with
-- chunks of that model: after the operator switches Models:Embeddings, chunks not yet re-embedded still count for the
-- full-text half of a search, never for the vector half, and the silos re-embed them in the background.

-- New chunk tables get the column as they are created (0019's definition makes the table, empty).
ALTER FUNCTION kb_ensure_chunk_table(int) RENAME TO kb_create_chunk_table;
CREATE OR REPLACE FUNCTION kb_ensure_chunk_table(p_dims int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE t text := kb_create_chunk_table(p_dims);
BEGIN
    -- Checked first: an ALTER TABLE would lock the table even when the column is there.
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = t::regclass AND attname = 'embedding_model' AND NOT attisdropped) THEN
        PERFORM pg_advisory_xact_lock(hashtext('kb_chunk_table:' || t));
        EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS embedding_model text NOT NULL', t);
    END IF;
    RETURN t;
END $$;

-- Existing chunks take their document's model, once (every chunk row is rewritten: on a large knowledge base run this
-- migration in a quiet hour, as 0019's rebuild). Chunks left in another dimension's table by a re-upload after a
-- dimension change belong to no document's current text: they are dropped.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c
             WHERE c.relkind = 'p' AND c.relname ~ '^kb_chunks_[0-9]+$' AND c.relnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DELETE FROM %I c USING kb_documents d WHERE d.tenant_id = c.tenant_id AND d.document_id = c.document_id
                        AND d.dimensions <> %s', r.relname, substr(r.relname, 11)::int);
        EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS embedding_model text', r.relname);
        EXECUTE format('UPDATE %I c SET embedding_model = d.embedding_model FROM kb_documents d
                        WHERE d.tenant_id = c.tenant_id AND d.document_id = c.document_id AND c.embedding_model IS NULL', r.relname);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN embedding_model SET NOT NULL', r.relname);
    END LOOP;
END $$;
