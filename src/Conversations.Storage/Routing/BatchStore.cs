using Conversations.Storage.Chat;
using Conversations.Storage.Encryption;
using Npgsql;

namespace Conversations.Storage.Routing;

/// <summary>Offline batch jobs (a row each, for listing) and their items. Every statement is scoped by tenant, and all but the listing by job. Prompts, answers and errors are sealed with the tenant's data key.</summary>
public sealed class BatchStore(NpgsqlDataSource db, TenantKeyRing keys)
{
    /// <summary>
    /// Stores a new job of <paramref name="userId"/>: its row (what listing needs) and its prompts as pending items, in one
    /// transaction (no-op for rows already there). Returns the tenant's other unfinished jobs (those with a pending
    /// item) and whether the job was stored: not when the tenant already holds <paramref name="maxUnfinishedJobs"/>.
    /// Submissions of one tenant take turns on a transaction lock, so two at once cannot both take the last place.
    /// </summary>
    public async Task<(bool Stored, int Unfinished)> InsertJobAsync(string tenantId, string jobId, string userId, string modelId, DateTimeOffset createdAt,
        IReadOnlyList<string> prompts, int maxUnfinishedJobs, CancellationToken ct = default)
    {
        var key = await keys.ForTenantAsync(tenantId, ct);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        int unfinished;
        await using (var count = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(hashtextextended('batch-jobs:' || @t, 0));
            SELECT count(DISTINCT job_id)::int FROM routing_batch_items WHERE tenant_id = @t AND status = 'pending' AND job_id <> @j;
            """, connection, tx))
        {
            count.Parameters.AddWithValue("t", tenantId);
            count.Parameters.AddWithValue("j", jobId);
            await using var r = await count.ExecuteReaderAsync(ct);
            await r.NextResultAsync(ct);
            await r.ReadAsync(ct);
            unfinished = r.GetInt32(0);
        }
        if (unfinished >= maxUnfinishedJobs) return (false, unfinished);
        await using var batch = new NpgsqlBatch(connection, tx);
        var job = new NpgsqlBatchCommand("""
            INSERT INTO routing_batch_jobs (tenant_id, job_id, user_id, model_id, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING
            """);
        job.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        job.Parameters.Add(new NpgsqlParameter { Value = jobId });
        job.Parameters.Add(new NpgsqlParameter { Value = userId });
        job.Parameters.Add(new NpgsqlParameter { Value = modelId });
        job.Parameters.Add(new NpgsqlParameter { Value = createdAt });
        var items = new NpgsqlBatchCommand("""
            INSERT INTO routing_batch_items (tenant_id, job_id, item_index, prompt, user_id)
            SELECT $1, $2, i - 1, p, $3 FROM unnest($4::text[]) WITH ORDINALITY AS x(p, i)
            ON CONFLICT DO NOTHING
            """);
        items.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        items.Parameters.Add(new NpgsqlParameter { Value = jobId });
        items.Parameters.Add(new NpgsqlParameter { Value = userId });
        items.Parameters.Add(new NpgsqlParameter { Value = prompts.Select((p, i) => key.Seal(p, "routing_batch_items.prompt", ItemRow(jobId, i))).ToArray() });
        batch.BatchCommands.Add(job);
        batch.BatchCommands.Add(items);
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return (true, unfinished);
    }

    /// <summary>
    /// Ids of the tenant's jobs newest first (of <paramref name="userId"/> only, unless null), after the job
    /// <paramref name="afterJobId"/> of that same list; null when that job is not in it.
    /// </summary>
    public async Task<IReadOnlyList<string>?> ListJobIdsAsync(string tenantId, string? userId, string? afterJobId, int limit, CancellationToken ct = default)
    {
        // The cursor is a job of the caller's own list: another user's or tenant's job id is no position in it.
        if (afterJobId is not null && !await JobListedAsync(tenantId, userId, afterJobId, ct)) return null;
        await using var cmd = db.CreateCommand("""
            SELECT j.job_id FROM routing_batch_jobs j
            WHERE j.tenant_id = @t AND (@u::text IS NULL OR j.user_id = @u)
              AND (@after::text IS NULL OR (j.created_at, j.job_id) < (SELECT c.created_at, c.job_id FROM routing_batch_jobs c WHERE c.tenant_id = @t AND c.job_id = @after))
            ORDER BY j.created_at DESC, j.job_id DESC LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("after", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)afterJobId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("l", limit);
        var ids = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) ids.Add(r.GetString(0));
        return ids;
    }

    private async Task<bool> JobListedAsync(string tenantId, string? userId, string jobId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT 1 FROM routing_batch_jobs WHERE tenant_id = @t AND job_id = @j AND (@u::text IS NULL OR user_id = @u)");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("j", jobId);
        cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>Up to <paramref name="limit"/> pending items, in order.</summary>
    public async Task<IReadOnlyList<(int Index, string Prompt)>> PendingAsync(string tenantId, string jobId, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT item_index, prompt FROM routing_batch_items WHERE tenant_id = @t AND job_id = @j AND status = 'pending'
            ORDER BY item_index LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("j", jobId);
        cmd.Parameters.AddWithValue("l", limit);
        var key = await keys.ForTenantAsync(tenantId, ct);
        var list = new List<(int, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetInt32(0), key.Open(r.GetString(1), "routing_batch_items.prompt", ItemRow(jobId, r.GetInt32(0)))));
        return list;
    }

    /// <summary>
    /// Records an item's outcome, and its model call's usage row when it made one, in one transaction: an answered item
    /// is never left unbilled, nor billed without its answer. <paramref name="storedPrompt"/> replaces the prompt as
    /// submitted: it is the prompt as the input check lets it be stored (personal data and secrets masked), like a chat
    /// question. An item that is no longer pending keeps its outcome (false is returned), but a call made for it is
    /// still billed: it was made.
    /// </summary>
    public async Task<bool> CompleteItemAsync(string tenantId, string jobId, int index, string storedPrompt, string? answer, string? error,
        int promptTokens, int cachedTokens, int completionTokens, decimal costUsd, UsageRecord? bill = null, CancellationToken ct = default)
    {
        var key = await keys.ForTenantAsync(tenantId, ct);
        var row = ItemRow(jobId, index);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        bool updated;
        await using (var cmd = new NpgsqlCommand("""
            UPDATE routing_batch_items SET status = @s, prompt = @prompt, answer = @a, error = @e, prompt_tokens = @p, cached_tokens = @c,
                completion_tokens = @comp, cost_usd = @cost, completed_at = now()
            WHERE tenant_id = @t AND job_id = @j AND item_index = @i AND status = 'pending'
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("j", jobId);
            cmd.Parameters.AddWithValue("i", index);
            cmd.Parameters.AddWithValue("prompt", key.Seal(storedPrompt, "routing_batch_items.prompt", row));
            cmd.Parameters.AddWithValue("s", error is null ? "succeeded" : "failed");
            cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)key.SealOrNull(answer, "routing_batch_items.answer", row) ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("e", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)key.SealOrNull(error, "routing_batch_items.error", row) ?? DBNull.Value });
            cmd.Parameters.AddWithValue("p", promptTokens);
            cmd.Parameters.AddWithValue("c", cachedTokens);
            cmd.Parameters.AddWithValue("comp", completionTokens);
            cmd.Parameters.AddWithValue("cost", costUsd);
            updated = await cmd.ExecuteNonQueryAsync(ct) == 1;
        }
        if (bill is not null)
        {
            await using var insert = new NpgsqlBatch(connection, tx);
            insert.BatchCommands.Add(UsageStore.InsertCommand([bill]));
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return updated;
    }

    /// <summary>Items of a job after <paramref name="afterIndex"/>, in order.</summary>
    public async Task<IReadOnlyList<BatchItemRecord>> ItemsAsync(string tenantId, string jobId, int afterIndex, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT item_index, prompt, status, answer, error, prompt_tokens, cached_tokens, completion_tokens, cost_usd, completed_at
            FROM routing_batch_items WHERE tenant_id = @t AND job_id = @j AND item_index > @after ORDER BY item_index LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("j", jobId);
        cmd.Parameters.AddWithValue("after", afterIndex);
        cmd.Parameters.AddWithValue("l", limit);
        var key = await keys.ForTenantAsync(tenantId, ct);
        var list = new List<BatchItemRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var row = ItemRow(jobId, r.GetInt32(0));
            list.Add(new BatchItemRecord(r.GetInt32(0), key.Open(r.GetString(1), "routing_batch_items.prompt", row), r.GetString(2),
                r.IsDBNull(3) ? null : key.Open(r.GetString(3), "routing_batch_items.answer", row),
                r.IsDBNull(4) ? null : key.Open(r.GetString(4), "routing_batch_items.error", row), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), r.GetDecimal(8),
                r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9)));
        }
        return list;
    }

    /// <summary>
    /// Ends a cancelled job's unrun items: status <c>cancelled</c> with <paramref name="error"/>, each keeping its prompt
    /// as <paramref name="prompts"/> gives it (masked as stored prompts are). An item that left <c>pending</c> meanwhile
    /// is not touched. Returns how many were ended.
    /// </summary>
    public async Task<int> CancelPendingAsync(string tenantId, string jobId, IReadOnlyList<(int Index, string Prompt)> prompts, string error,
        CancellationToken ct = default)
    {
        if (prompts.Count == 0) return 0;
        var key = await keys.ForTenantAsync(tenantId, ct);
        await using var batch = db.CreateBatch();
        foreach (var (index, prompt) in prompts)
        {
            // Each row sealed under its own identity, as an answered item's are.
            var row = ItemRow(jobId, index);
            var update = new NpgsqlBatchCommand("""
                UPDATE routing_batch_items SET status = 'cancelled', prompt = $4, error = $5, completed_at = now()
                WHERE tenant_id = $1 AND job_id = $2 AND item_index = $3 AND status = 'pending'
                """);
            update.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            update.Parameters.Add(new NpgsqlParameter { Value = jobId });
            update.Parameters.Add(new NpgsqlParameter { Value = index });
            update.Parameters.Add(new NpgsqlParameter { Value = key.Seal(prompt, "routing_batch_items.prompt", row) });
            update.Parameters.Add(new NpgsqlParameter { Value = key.Seal(error, "routing_batch_items.error", row) });
            batch.BatchCommands.Add(update);
        }
        return await batch.ExecuteNonQueryAsync(ct);
    }

    private static string ItemRow(string jobId, int index) => $"{jobId}/{index}";

    /// <summary>(succeeded, failed, total cost) of a job; failed counts the items a cancel ended unrun too.</summary>
    public async Task<(int Succeeded, int Failed, decimal CostUsd)> CountsAsync(string tenantId, string jobId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status IN ('failed', 'cancelled')), coalesce(sum(cost_usd), 0)
            FROM routing_batch_items WHERE tenant_id = @t AND job_id = @j
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("j", jobId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return ((int)r.GetInt64(0), (int)r.GetInt64(1), r.GetDecimal(2));
    }
}
