-- Key listing: when a key was last used (written at most once a minute per key and API host) and when it expires.
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS last_used_at timestamptz;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS expires_at timestamptz;
