using Npgsql;

namespace Conversations.Storage.Routing;

/// <summary>Items of offline batch jobs. Every statement is scoped by tenant and job.</summary>
public sealed class BatchStore(NpgsqlDataSource db)
{
    /// <summary>Stores the prompts of a new job as pending items (no-op for items already there).</summary>
    public async Task InsertItemsAsync(string tenantId, string jobId, IReadOnlyList<string> prompts, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO routing_batch_items (tenant_id, job_id, item_index, prompt)
            SELECT @t, @j, i - 1, p FROM unnest(@p) WITH ORDINALITY AS x(p, i)
            ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("j", jobId);
        cmd.Parameters.AddWithValue("p", prompts.ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
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
        var list = new List<(int, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetInt32(0), r.GetString(1)));
        return list;
    }

    /// <summary>
    /// Records an item's outcome. <paramref name="storedPrompt"/> replaces the prompt as submitted: it is the prompt as
    /// the input check lets it be stored (personal data and secrets masked), like a chat question.
    /// </summary>
    public async Task CompleteItemAsync(string tenantId, string jobId, int index, string storedPrompt, string? answer, string? error,
        int promptTokens, int cachedTokens, int completionTokens, decimal costUsd, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE routing_batch_items SET status = @s, prompt = @prompt, answer = @a, error = @e, prompt_tokens = @p, cached_tokens = @c,
                completion_tokens = @comp, cost_usd = @cost, completed_at = now()
            WHERE tenant_id = @t AND job_id = @j AND item_index = @i
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("j", jobId);
        cmd.Parameters.AddWithValue("i", index);
        cmd.Parameters.AddWithValue("prompt", storedPrompt);
        cmd.Parameters.AddWithValue("s", error is null ? "succeeded" : "failed");
        cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)answer ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("e", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
        cmd.Parameters.AddWithValue("p", promptTokens);
        cmd.Parameters.AddWithValue("c", cachedTokens);
        cmd.Parameters.AddWithValue("comp", completionTokens);
        cmd.Parameters.AddWithValue("cost", costUsd);
        await cmd.ExecuteNonQueryAsync(ct);
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
        var list = new List<BatchItemRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new BatchItemRecord(r.GetInt32(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), r.GetDecimal(8),
                r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9)));
        }
        return list;
    }

    /// <summary>(succeeded, failed, total cost) of a job.</summary>
    public async Task<(int Succeeded, int Failed, decimal CostUsd)> CountsAsync(string tenantId, string jobId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed'), coalesce(sum(cost_usd), 0)
            FROM routing_batch_items WHERE tenant_id = @t AND job_id = @j
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("j", jobId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return ((int)r.GetInt64(0), (int)r.GetInt64(1), r.GetDecimal(2));
    }
}
