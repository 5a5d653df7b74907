-- A conversation's activation counts the messages replaced turns left behind: with this index it reads only those
-- (few), not every message of a long conversation.
CREATE INDEX IF NOT EXISTS messages_replaced ON messages (tenant_id, conversation_id) WHERE replaced_by IS NOT NULL;
