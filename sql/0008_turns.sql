-- Turns outlive their connections: an answer the user stopped is kept as `stopped`; an answer's citations are stored
-- with it, so history shows its sources and a resumed stream can replay them; a turn is found by its id (idempotent
-- sends, resumes from the stored answer).

ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('complete', 'interrupted', 'incomplete', 'failed', 'refused', 'stopped'));

ALTER TABLE messages ADD COLUMN IF NOT EXISTS citations jsonb;

CREATE INDEX IF NOT EXISTS messages_by_turn ON messages (tenant_id, conversation_id, turn_id);
