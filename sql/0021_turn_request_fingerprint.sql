-- A question sent with a client-chosen turn id keeps a fingerprint of the request that sent it (text and image
-- references as sent, before moderation): a retry with the same id and another request is refused, not answered with
-- the first question's answer. A keyed hash (HMAC under a key derived from the tenant's data key), so a short
-- question cannot be guessed from it. Null for rows from before, and for turns whose id the platform chose.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS request_fingerprint text;
