-- Export archives are sealed with the tenant's data key from now on (destroying the key shreds them). Archives stored
-- before, in the clear, are dropped: their exports read as failed and can be restarted.
UPDATE data_exports SET archive = NULL, status = 'failed',
       error = 'Archives are now sealed with the tenant''s key; this one was made before and was removed. Restart the export.'
WHERE archive IS NOT NULL;

-- A tenant-wide archive holds every user's data: a user's erasure removes those made before it, with the user's own.
CREATE OR REPLACE FUNCTION erase_user(p_tenant text, p_user text) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM routing_batch_jobs WHERE tenant_id = p_tenant AND user_id = p_user;
    DELETE FROM data_exports WHERE tenant_id = p_tenant AND user_id IS NULL;
    RETURN erase_user_rows(p_tenant, p_user);
END $$;
