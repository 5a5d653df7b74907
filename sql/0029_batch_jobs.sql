-- Offline batch jobs, one row each, so a caller can list theirs (GET /v1/batches): the job's progress and cost stay
-- in its grain and its items. Written with the job's items, in one transaction. The rows go with their
-- tenant (erase_tenant) by the foreign key and with their owner (erase_user, and each job as its items go); a
-- key's user need not have a users row, so no foreign key to it.
CREATE TABLE IF NOT EXISTS routing_batch_jobs (
    tenant_id  text NOT NULL REFERENCES tenants ON DELETE CASCADE,
    job_id     text NOT NULL,
    user_id    text NOT NULL,
    model_id   text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, job_id)
);
CREATE INDEX IF NOT EXISTS routing_batch_jobs_newest ON routing_batch_jobs (tenant_id, created_at DESC, job_id DESC);
CREATE INDEX IF NOT EXISTS routing_batch_jobs_newest_of_user ON routing_batch_jobs (tenant_id, user_id, created_at DESC, job_id DESC);

-- Jobs accepted before this table, where their grain's state is plain JSON (written unsealed): its owner, model and
-- acceptance time. A sealed state is opened only by the silo, so such jobs stay unlisted (GET /v1/batches/{id} finds them).
DO $$
DECLARE j record; s jsonb;
BEGIN
    FOR j IN SELECT grain_id_extension_string AS grain_key, payload_binary FROM orleans_grain_state
             WHERE grain_type_string = 'batch-job' AND payload_binary IS NOT NULL LOOP
        BEGIN
            s := convert_from(j.payload_binary, 'UTF8')::jsonb;
            INSERT INTO routing_batch_jobs (tenant_id, job_id, user_id, model_id, created_at)
            SELECT split_part(j.grain_key, '/', 1), substr(j.grain_key, strpos(j.grain_key, '/') + 1), s ->> 'UserId', s ->> 'ModelId',
                   (s ->> 'CreatedAt')::timestamptz
            WHERE (s ->> 'Exists')::boolean AND s ->> 'UserId' IS NOT NULL AND s ->> 'ModelId' IS NOT NULL
              AND EXISTS (SELECT 1 FROM tenants WHERE tenant_id = split_part(j.grain_key, '/', 1))
            ON CONFLICT DO NOTHING;
        EXCEPTION WHEN OTHERS THEN
            NULL; -- a state that is not plain JSON (sealed with the tenant's key) is not listed: its job is found by its id
        END;
    END LOOP;
END $$;

-- A deleted user's jobs leave the listing with them, also one the caller did not delete job by job.
ALTER FUNCTION erase_user(text, text) RENAME TO erase_user_rows;
CREATE OR REPLACE FUNCTION erase_user(p_tenant text, p_user text) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM routing_batch_jobs WHERE tenant_id = p_tenant AND user_id = p_user;
    RETURN erase_user_rows(p_tenant, p_user);
END $$;
