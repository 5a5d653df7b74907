-- Moderation: tenant lexicons (with a per-tenant version bumped in the same transaction as every edit) and
-- moderation events. Event content is stored masked: personal data, secrets and lexicon words never land here.

CREATE TABLE IF NOT EXISTS moderation_lexicon_versions (
    tenant_id text PRIMARY KEY,
    version   bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS moderation_lexicons (
    tenant_id  text NOT NULL,
    name       text NOT NULL,
    words      text[] NOT NULL,
    risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
    action     text NOT NULL CHECK (action IN ('block', 'mask')),
    label      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE IF NOT EXISTS moderation_events (
    id              bigserial PRIMARY KEY,
    tenant_id       text NOT NULL,
    user_id         text NOT NULL,
    conversation_id text NOT NULL,
    turn_id         text NOT NULL,
    phase           text NOT NULL CHECK (phase IN ('input', 'output')),
    action          text NOT NULL CHECK (action IN ('allow', 'mask', 'block')),
    risk_level      text NOT NULL CHECK (risk_level IN ('none', 'low', 'medium', 'high')),
    labels          text[] NOT NULL,
    libraries       text[] NOT NULL,
    checkers        text[] NOT NULL,
    content         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- A retried batch writes each event once.
    UNIQUE (tenant_id, conversation_id, turn_id, phase)
);
CREATE INDEX IF NOT EXISTS moderation_events_by_time ON moderation_events (tenant_id, id DESC);
CREATE INDEX IF NOT EXISTS moderation_events_by_user ON moderation_events (tenant_id, user_id, id DESC);
