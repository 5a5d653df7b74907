-- Per-tenant data keys for encryption at rest. Each tenant's 256-bit data key is stored only wrapped by a master key
-- (the key provider's); destroying a tenant's key clears the wrapped key, which makes everything sealed with it
-- unreadable (crypto-shredding). No foreign key to tenants: grain state of a tenant is sealed before or without the row.
CREATE TABLE IF NOT EXISTS tenant_data_keys (
    tenant_id     text PRIMARY KEY,
    wrapped_key   bytea,
    master_key_id text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    rewrapped_at  timestamptz,
    destroyed_at  timestamptz,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);

-- Sealed text cannot feed a generated tsvector: chunks now store the lexemes computed from the plaintext on insert.
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
             WHERE c.relname ~ '^kb_chunks_[0-9]+$' AND c.relkind = 'p' AND a.attname = 'tsv' AND a.attgenerated = 's'
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN tsv DROP EXPRESSION', t);
    END LOOP;
END $$;

-- Creates the chunk table of one embedding dimension with its indexes; returns its name. Idempotent.
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
            tenant_id     text NOT NULL,
            document_id   text NOT NULL,
            chunk_index   int NOT NULL,
            label_id      smallint NOT NULL,
            -- Sealed (enc1:...) with the tenant's data key.
            content       text NOT NULL,
            -- CJK bigrams of content: the 'simple' parser sees a run of CJK characters as one word.
            lexical_extra text NOT NULL DEFAULT '',
            -- Lexemes of the plaintext content and lexical_extra, computed on insert.
            tsv           tsvector NOT NULL,
            embedding     vector(%s) NOT NULL,
            PRIMARY KEY (tenant_id, document_id, chunk_index),
            FOREIGN KEY (tenant_id, document_id) REFERENCES kb_documents ON DELETE CASCADE
        ) PARTITION BY LIST (tenant_id)$f$, t, p_dims);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)', t || '_hnsw', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (tenant_id, label_id)', t || '_label', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gin (tsv)', t || '_tsv', t);
    RETURN t;
END $$;
