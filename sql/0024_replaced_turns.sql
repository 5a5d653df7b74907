-- Regenerate and edit-and-resend replace the conversation's last turn: the replacing question's insert marks the
-- replaced turn's messages with the replacing turn's id, in the same transaction. Marked messages stay stored (they
-- were answered and billed, and a data export still carries them) but leave the history, the context window and
-- every later prompt. Null for every message nothing replaced.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS replaced_by text;
