-- A turn id is the client's choice and unique only within its conversation: keyed by (tenant, turn) alone, one user's
-- turn id could drop another user's routing row (ON CONFLICT DO NOTHING) and have theirs joined to the other's usage
-- and votes. The conversation is part of the key, and of every join.
ALTER TABLE routing_turns DROP CONSTRAINT IF EXISTS routing_turns_pkey;
ALTER TABLE routing_turns ADD PRIMARY KEY (tenant_id, conversation_id, turn_id);
