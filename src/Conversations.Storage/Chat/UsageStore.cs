using Npgsql;

namespace Conversations.Storage.Chat;

/// <summary>Writes usage records in batches: one row per model call, each written once by the code that made the call.</summary>
public sealed class UsageStore(NpgsqlDataSource db)
{
    /// <summary>Inserts the records in one round trip.</summary>
    public async Task WriteAsync(IReadOnlyList<UsageRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return;
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(InsertCommand(records));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Inserts the records of calls whose conversation (or user) was erased while they ran, anonymised as the erasure
    /// anonymised that conversation's other rows: the bill keeps them, the deleted ids are not kept.
    /// </summary>
    public async Task WriteAfterErasureAsync(IReadOnlyList<UsageRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // An erasure of the user locks their row first: this waits for one in flight (and then writes "(deleted)"), or
        // holds it off until these rows are in, so its anonymising update sees them. Never a row left naming the user.
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM users WHERE tenant_id = ANY(@t) AND user_id = ANY(@u) FOR KEY SHARE", conn, tx))
        {
            hold.Parameters.AddWithValue("t", records.Select(r => r.TenantId).Distinct().ToArray());
            hold.Parameters.AddWithValue("u", records.Select(r => r.UserId).Distinct().ToArray());
            await hold.ExecuteNonQueryAsync(ct);
        }
        await using var batch = new NpgsqlBatch(conn, tx);
        var insert = InsertCommand(records);
        insert.CommandText = """
            INSERT INTO usage_records (tenant_id, user_id, conversation_id, turn_id, model, prompt_tokens, cached_tokens, completion_tokens, cost_usd,
                kind, attempt, estimated)
            SELECT r.t,
                   CASE WHEN EXISTS (SELECT 1 FROM users WHERE tenant_id = r.t AND user_id = r.u) THEN r.u ELSE '(deleted)' END,
                   CASE WHEN EXISTS (SELECT 1 FROM conversations WHERE tenant_id = r.t AND conversation_id = r.c) THEN r.c ELSE '(deleted)' END,
                   CASE WHEN EXISTS (SELECT 1 FROM conversations WHERE tenant_id = r.t AND conversation_id = r.c) THEN r.turn ELSE '(deleted)' END,
                   r.m, r.p, r.cached, r.comp, r.cost, r.kind, r.attempt, r.estimated
            FROM unnest(@t, @u, @c, @turn, @m, @p, @cached, @comp, @cost, @kind, @attempt, @estimated, @since)
                AS r(t, u, c, turn, m, p, cached, comp, cost, kind, attempt, estimated, since)
            WHERE
            """ + SameTenant;
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The insert for a set of records, to run alone or inside another batch.</summary>
    public static NpgsqlBatchCommand InsertCommand(IReadOnlyList<UsageRecord> records)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO usage_records (tenant_id, user_id, conversation_id, turn_id, model, prompt_tokens, cached_tokens, completion_tokens, cost_usd,
                kind, attempt, estimated)
            SELECT r.t, r.u, r.c, r.turn, r.m, r.p, r.cached, r.comp, r.cost, r.kind, r.attempt, r.estimated
            FROM unnest(@t, @u, @c, @turn, @m, @p, @cached, @comp, @cost, @kind, @attempt, @estimated, @since)
                AS r(t, u, c, turn, m, p, cached, comp, cost, kind, attempt, estimated, since)
            WHERE
            """ + SameTenant);
        cmd.Parameters.AddWithValue("t", records.Select(r => r.TenantId).ToArray());
        cmd.Parameters.AddWithValue("u", records.Select(r => r.UserId).ToArray());
        cmd.Parameters.AddWithValue("c", records.Select(r => r.ConversationId).ToArray());
        cmd.Parameters.AddWithValue("turn", records.Select(r => r.TurnId).ToArray());
        cmd.Parameters.AddWithValue("m", records.Select(r => r.Model).ToArray());
        cmd.Parameters.AddWithValue("p", records.Select(r => r.PromptTokens).ToArray());
        cmd.Parameters.AddWithValue("cached", records.Select(r => r.CachedTokens).ToArray());
        cmd.Parameters.AddWithValue("comp", records.Select(r => r.CompletionTokens).ToArray());
        cmd.Parameters.AddWithValue("cost", records.Select(r => r.CostUsd).ToArray());
        cmd.Parameters.AddWithValue("kind", records.Select(r => r.Kind).ToArray());
        cmd.Parameters.AddWithValue("attempt", records.Select(r => r.Attempt).ToArray());
        cmd.Parameters.AddWithValue("estimated", records.Select(r => r.Estimated).ToArray());
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("since", records.Select(r => r.Since).ToArray()));
        return cmd;
    }

    // A call that outlived its tenant bills nobody: the deleted tenant's rows are gone with it, and a new tenant that
    // took the id since the call began did not make it. Re-creating a deleted id waits out the key cache (seconds), so
    // the two-second allowance for clocks of silo and database only spares a row of the same tenant.
    private const string SameTenant = """
         EXISTS (SELECT 1 FROM tenants tn WHERE tn.tenant_id = r.t AND (r.since IS NULL OR tn.created_at <= r.since + interval '2 seconds'))
        """;

    /// <summary>Total tokens per user of a tenant since <paramref name="since"/>.</summary>
    public async Task<IReadOnlyList<(string UserId, string Model, long Prompt, long Cached, long Completion, decimal Cost)>> SummarizeAsync(
        string tenantId, DateTimeOffset since, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT user_id, model, sum(prompt_tokens), sum(cached_tokens), sum(completion_tokens), sum(cost_usd)
            FROM usage_records WHERE tenant_id = @t AND created_at >= @since GROUP BY user_id, model ORDER BY user_id, model
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("since", since);
        var list = new List<(string, string, long, long, long, decimal)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add((r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetDecimal(5)));
        return list;
    }

    /// <summary>What one turn's model calls consumed, summed over its rows.</summary>
    public async Task<TurnUsageTotals> TurnTotalsAsync(string tenantId, string conversationId, string turnId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT coalesce(sum(prompt_tokens), 0)::int, coalesce(sum(cached_tokens), 0)::int, coalesce(sum(completion_tokens), 0)::int, coalesce(sum(cost_usd), 0)
            FROM usage_records WHERE tenant_id = @t AND turn_id = @turn AND conversation_id = @c AND kind IN ('turn', 'evaluation')
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("turn", turnId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new TurnUsageTotals(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetDecimal(3));
    }
}
