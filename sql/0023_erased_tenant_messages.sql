-- Messages need no erased-tenant guard of their own: every message row references its conversation, and every
-- conversation its tenant, so a late message of a deleted tenant fails its foreign key (the deletion removed the
-- conversation), and a tenant created again under the same id starts without the old conversations. The statement
-- trigger of 0022 ran on the two message writes of every turn (a plpgsql call, a transition table and an index probe:
-- about 20 µs each); the ledger, routing and moderation tables, which have no such key, keep theirs.
DROP TRIGGER IF EXISTS erased_tenant_drop ON messages;
