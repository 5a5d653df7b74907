-- Model routing: per-turn routing details, feedback, answer caches and offline batches. Every row carries tenant_id
-- and every query filters on it. The money itself is in usage_records, written in the same transaction as the
-- assistant message; routing_turns adds what the router knows about the turn (who served it, why, what it saved).

CREATE TABLE IF NOT EXISTS routing_turns (
    tenant_id          text NOT NULL,
    turn_id            text NOT NULL,
    user_id            text NOT NULL,
    conversation_id    text NOT NULL,
    model              text NOT NULL,
    served_by          text NOT NULL CHECK (served_by IN ('model', 'extractive', 'hard-coded', 'exact-cache', 'semantic-cache', 'refused', 'failed')),
    route              text NOT NULL,
    canary_arm         text NOT NULL DEFAULT 'none',
    continued          boolean NOT NULL DEFAULT false,
    prompt_tokens      int NOT NULL,
    cached_tokens      int NOT NULL,
    completion_tokens  int NOT NULL,
    cost_usd           numeric(18, 8) NOT NULL,
    always_large_usd   numeric(18, 8) NOT NULL,
    cached_savings_usd numeric(18, 8) NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, turn_id)
);
CREATE INDEX IF NOT EXISTS routing_turns_by_day ON routing_turns (tenant_id, created_at);

-- One vote per assistant message; a second vote replaces the first.
CREATE TABLE IF NOT EXISTS routing_feedback (
    tenant_id       text NOT NULL,
    conversation_id text NOT NULL,
    seq             bigint NOT NULL,
    user_id         text NOT NULL,
    turn_id         text NOT NULL,
    model           text,
    negative        boolean NOT NULL,
    comment         text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS routing_feedback_by_day ON routing_feedback (tenant_id, created_at);

-- Exact answer cache: key = hash of (tenant, readable-label set, knowledge-base version, private user, normalized question).
CREATE TABLE IF NOT EXISTS routing_answer_cache (
    tenant_id  text NOT NULL,
    cache_key  text NOT NULL,
    question   text NOT NULL,
    answer     text NOT NULL,
    model      text NOT NULL,
    chunk_ids  text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, cache_key)
);
CREATE INDEX IF NOT EXISTS routing_answer_cache_expiry ON routing_answer_cache (expires_at);

-- Semantic cache: entries are compared only inside the asker's scope partition (scope_key), which is small, so an
-- exact distance scan over the partition is both correct and fast; no ANN index, and any embedding dimension works.
CREATE TABLE IF NOT EXISTS routing_semantic_cache (
    id         bigserial PRIMARY KEY,
    tenant_id  text NOT NULL,
    scope_key  text NOT NULL,
    question   text NOT NULL,
    embedding  vector NOT NULL,
    answer     text NOT NULL,
    model      text NOT NULL,
    chunk_ids  text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS routing_semantic_cache_scope ON routing_semantic_cache (tenant_id, scope_key, expires_at);

-- Offline batch items; the job's metadata lives in its grain.
CREATE TABLE IF NOT EXISTS routing_batch_items (
    tenant_id         text NOT NULL,
    job_id            text NOT NULL,
    item_index        int NOT NULL,
    prompt            text NOT NULL,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    answer            text,
    error             text,
    prompt_tokens     int NOT NULL DEFAULT 0,
    cached_tokens     int NOT NULL DEFAULT 0,
    completion_tokens int NOT NULL DEFAULT 0,
    cost_usd          numeric(18, 8) NOT NULL DEFAULT 0,
    completed_at      timestamptz,
    PRIMARY KEY (tenant_id, job_id, item_index)
);
