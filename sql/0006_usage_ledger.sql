-- The usage ledger holds one row per model call, not one per turn: a turn continued by a backup model, a cut-off or
-- abandoned answer, a summary and a batch item each bill what their calls consumed. `kind` tells turns, summaries and
-- batch items apart; `attempt` numbers the calls of one turn (0 is the first, and the row a turn is counted by);
-- `estimated` marks calls whose tokens were counted with the tokenizer because the provider reported no usage (the
-- stream was cut or abandoned before its final chunk).

ALTER TABLE usage_records ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'turn';
ALTER TABLE usage_records ADD COLUMN IF NOT EXISTS attempt int NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN IF NOT EXISTS estimated boolean NOT NULL DEFAULT false;

-- Rows written before this migration: summaries and batch items were told apart only by their ids.
UPDATE usage_records SET kind = 'summary' WHERE turn_id LIKE 'fold-%';
UPDATE usage_records SET kind = 'batch' WHERE turn_id LIKE 'batch:%';
ALTER TABLE usage_records ADD CONSTRAINT usage_records_kind_check CHECK (kind IN ('turn', 'summary', 'batch'));

-- A turn id is chosen by the client and may repeat; every call is still billed, so the id is no longer unique here.
ALTER TABLE usage_records DROP CONSTRAINT IF EXISTS usage_records_tenant_id_turn_id_key;
CREATE INDEX IF NOT EXISTS usage_by_turn ON usage_records (tenant_id, turn_id);

-- An answer the model stopped part-way, ended with a notice because no other model could finish it.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('complete', 'interrupted', 'incomplete', 'failed', 'refused'));
