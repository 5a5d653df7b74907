-- Knowledge base: labels, documents, and chunks with embeddings. Every row carries tenant_id and every query filters on it.
--
-- Chunks live in one table per embedding dimension (kb_chunks_384 for the local model; another model's dimension gets
-- its own table from kb_ensure_chunk_table at start-up), list-partitioned by tenant so each tenant has its own HNSW
-- graph: one tenant's vectors never crowd another's out of a filtered search, and tenant_id = $1 prunes to one partition.

-- Labels are the unit of access: each document carries one, roles are granted labels. Small integers keep the
-- filter column narrow and the B-tree on (tenant_id, label_id) small.
CREATE TABLE IF NOT EXISTS kb_labels (
    tenant_id  text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    label_id   smallint NOT NULL CHECK (label_id > 0),
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, label_id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE IF NOT EXISTS kb_documents (
    tenant_id       text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    document_id     text NOT NULL,
    title           text NOT NULL,
    label_id        smallint NOT NULL,
    content_hash    bytea NOT NULL,
    embedding_model text NOT NULL,
    dimensions      int NOT NULL,
    chunk_count     int NOT NULL,
    char_count      int NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, document_id),
    FOREIGN KEY (tenant_id, label_id) REFERENCES kb_labels
);
-- Chunk counts per label (the allowed share that picks the query plan) are summed from here, not from the chunks.
CREATE INDEX IF NOT EXISTS kb_documents_by_label ON kb_documents (tenant_id, label_id) INCLUDE (chunk_count);

-- Returns the label's id, creating it with the next free id. Serialized per tenant so ids stay dense and unique.
CREATE OR REPLACE FUNCTION kb_ensure_label(p_tenant text, p_name text) RETURNS smallint
LANGUAGE plpgsql AS $$
DECLARE found smallint;
BEGIN
    SELECT label_id INTO found FROM kb_labels WHERE tenant_id = p_tenant AND name = p_name;
    IF found IS NOT NULL THEN RETURN found; END IF;
    PERFORM pg_advisory_xact_lock(hashtext('kb_labels:' || p_tenant));
    SELECT label_id INTO found FROM kb_labels WHERE tenant_id = p_tenant AND name = p_name;
    IF found IS NOT NULL THEN RETURN found; END IF;
    INSERT INTO kb_labels (tenant_id, label_id, name)
    SELECT p_tenant, COALESCE(max(label_id), 0) + 1, p_name FROM kb_labels WHERE tenant_id = p_tenant
    RETURNING label_id INTO found;
    RETURN found;
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
            content       text NOT NULL,
            -- CJK bigrams of content: the 'simple' parser sees a run of CJK characters as one word.
            lexical_extra text NOT NULL DEFAULT '',
            tsv           tsvector GENERATED ALWAYS AS (to_tsvector('simple', content || ' ' || lexical_extra)) STORED,
            embedding     vector(%s) NOT NULL,
            PRIMARY KEY (tenant_id, document_id, chunk_index),
            FOREIGN KEY (tenant_id, document_id) REFERENCES kb_documents ON DELETE CASCADE
        ) PARTITION BY LIST (tenant_id)$f$, t, p_dims);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)', t || '_hnsw', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (tenant_id, label_id)', t || '_label', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gin (tsv)', t || '_tsv', t);
    RETURN t;
END $$;

-- Creates the tenant's partition of a chunk table (indexes come from the parent); returns its name. Idempotent.
CREATE OR REPLACE FUNCTION kb_ensure_partition(p_dims int, p_tenant text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    parent text := kb_ensure_chunk_table(p_dims);
    part   text := parent || '_' || substr(md5(p_tenant), 1, 16);
BEGIN
    IF to_regclass(part) IS NOT NULL THEN RETURN part; END IF;
    PERFORM pg_advisory_xact_lock(hashtext('kb_partition:' || part));
    IF to_regclass(part) IS NOT NULL THEN RETURN part; END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%L)', part, parent, p_tenant);
    RETURN part;
END $$;

SELECT kb_ensure_chunk_table(384);
