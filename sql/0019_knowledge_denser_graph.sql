-- Denser HNSW graphs: ef_construction 128 instead of 64 (m stays 16, so the index keeps its size). At a fixed build
-- setting recall falls as a tenant's graph grows, and a wider search at query time levels off below 0.98 from about
-- 300,000 chunks; a graph built with 128 reaches 0.991 / 0.998 / 1.000 at 300k and 0.951 / 0.979 / 1.000 at 1M for the
-- 50 / 10 / 1 % shares (docs/benchmarks-knowledge.md). Inserts search twice as wide; ingestion is bound by the
-- embedding model, not by them. Existing graphs are rebuilt here, once.
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
        EXECUTE format('DROP INDEX IF EXISTS %I', r.relname || '_hnsw');
        EXECUTE format('CREATE INDEX %I ON %I USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 128)',
            r.relname || '_hnsw', r.relname);
    END LOOP;
END $$;
