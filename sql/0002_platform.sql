-- Platform tables. Every row carries tenant_id and every query filters on it.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE IF NOT EXISTS tenants (
    tenant_id   text PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS users (
    tenant_id    text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id      text NOT NULL,
    display_name text NOT NULL,
    role         text NOT NULL CHECK (role IN ('tenant_admin', 'user')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);

-- Keys are shown once; only a SHA-256 of the secret part is kept. The key id is public (it is in the key).
CREATE TABLE IF NOT EXISTS api_keys (
    key_id      text PRIMARY KEY,
    secret_hash bytea NOT NULL,
    tenant_id   text REFERENCES tenants ON DELETE CASCADE,
    user_id     text,
    role        text NOT NULL CHECK (role IN ('operator', 'tenant_admin', 'user')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CHECK ((role = 'operator') = (tenant_id IS NULL))
);
CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys (tenant_id, user_id);

CREATE TABLE IF NOT EXISTS conversations (
    tenant_id       text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    conversation_id text NOT NULL,
    user_id         text NOT NULL,
    title           text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    message_count   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations (tenant_id, user_id, updated_at DESC, conversation_id);

-- The append-only message log. A turn is a user row and, when it ends, an assistant row with the same turn_id.
CREATE TABLE IF NOT EXISTS messages (
    tenant_id       text NOT NULL,
    conversation_id text NOT NULL,
    seq             bigint NOT NULL,
    turn_id         text NOT NULL,
    role            text NOT NULL CHECK (role IN ('user', 'assistant')),
    content         text NOT NULL,
    status          text NOT NULL CHECK (status IN ('complete', 'interrupted', 'failed', 'refused')),
    token_count     int NOT NULL DEFAULT 0,
    model           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id, seq),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS usage_records (
    id                bigserial PRIMARY KEY,
    tenant_id         text NOT NULL,
    user_id           text NOT NULL,
    conversation_id   text NOT NULL,
    turn_id           text NOT NULL,
    model             text NOT NULL,
    prompt_tokens     int NOT NULL,
    cached_tokens     int NOT NULL,
    completion_tokens int NOT NULL,
    cost_usd          numeric(18, 8) NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, turn_id)
);
CREATE INDEX IF NOT EXISTS usage_by_day ON usage_records (tenant_id, created_at);
