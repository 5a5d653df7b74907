-- Images attached to messages: uploads and fetched URLs, stored per tenant and owner, the bytes sealed with the
-- tenant's data key. They go with their tenant (erase_tenant) by the foreign key and with their owner's users row
-- (erase_user) by the trigger below: a key's user need not have a users row, so no foreign key to it.
CREATE TABLE IF NOT EXISTS message_images (
    tenant_id   text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    image_id    text NOT NULL,
    user_id     text NOT NULL,
    media_type  text NOT NULL,
    byte_size   int NOT NULL,
    sha256      text NOT NULL,
    source_url  text,
    content     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, image_id)
);
CREATE INDEX IF NOT EXISTS message_images_owner ON message_images (tenant_id, user_id);

CREATE OR REPLACE FUNCTION message_images_follow_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM message_images WHERE tenant_id = OLD.tenant_id AND user_id = OLD.user_id;
    RETURN OLD;
END $$;
DROP TRIGGER IF EXISTS message_images_follow_user ON users;
CREATE TRIGGER message_images_follow_user AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION message_images_follow_user();

-- A tenant's blocked images, by the SHA-256 of their bytes (lower-case hex).
CREATE TABLE IF NOT EXISTS image_blocklist (
    tenant_id  text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    note       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, sha256)
);

-- The images a question carried, by id (the ids say nothing about the pictures).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS image_ids jsonb;
