-- Each chunk records the embedding model that made its vector. A question embedded by one model is compared only with
-- chunks of that model: after the operator switches Models:Embeddings, chunks not yet re-embedded still count for the
-- full-text half of a search, never for the vector half, and the silos re-embed them in the background.
--
-- Existing chunks take their document's model, once (every chunk row is rewritten: on a large knowledge base run this
-- migration in a quiet hour, as 0019's rebuild).
CREATE OR REPLACE FUNCTION kb_ensure_chunk_table(p_dims int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE t text := 'kb_chunks_' || p_dims;
BEGIN
    IF p_dims < 1 OR p_dims > 2000 THEN
        RAISE EXCEPTION 'Embedding dimension % is outside 1..2000, the range pgvector can index with HNSW.', p_dims;
    END IF;
    IF to_regclass(t) IS NOT NULL THEN RETURN t; END IF;
    PERFORM pg_advisory_xact_lock(hashtext('kb_chunk_table:' || t));
    EXECUTE format($f$
        CREATE TABLE IF NOT EXISTS %I (
            tenant_id       text NOT NULL,
            document_id     text NOT NULL,
            chunk_index     int NOT NULL,
            label_id        smallint NOT NULL,
            -- Sealed (enc1:...) with the tenant's data key.
            content         text NOT NULL,
            -- CJK bigrams of content: the 'simple' parser sees a run of CJK characters as one word.
            lexical_extra   text NOT NULL DEFAULT '',
            -- Lexemes of the plaintext content and lexical_extra, computed on insert.
            tsv             tsvector NOT NULL,
            embedding       vector(%s) NOT NULL,
            -- The model that made embedding (Models:Embeddings); the vector half of a search reads only its own model's rows.
            embedding_model text NOT NULL,
            PRIMARY KEY (tenant_id, document_id, chunk_index),
            FOREIGN KEY (tenant_id, document_id) REFERENCES kb_documents ON DELETE CASCADE
        ) PARTITION BY LIST (tenant_id)$f$, t, p_dims);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 128)', t || '_hnsw', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (tenant_id, label_id)', t || '_label', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gin (tsv)', t || '_tsv', t);
    RETURN t;
END $$;

DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c
             WHERE c.relkind = 'p' AND c.relname ~ '^kb_chunks_[0-9]+$' AND c.relnamespace = current_schema()::regnamespace
    LOOP
        -- Chunks left in another dimension's table by a re-upload after a dimension change belong to no document's
        -- current text: they are dropped.
        EXECUTE format('DELETE FROM %I c USING kb_documents d WHERE d.tenant_id = c.tenant_id AND d.document_id = c.document_id
                        AND d.dimensions <> %s', r.relname, substr(r.relname, 11)::int);
        EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS embedding_model text', r.relname);
        EXECUTE format('UPDATE %I c SET embedding_model = d.embedding_model FROM kb_documents d
                        WHERE d.tenant_id = c.tenant_id AND d.document_id = c.document_id AND c.embedding_model IS NULL', r.relname);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN embedding_model SET NOT NULL', r.relname);
    END LOOP;
END $$;
