using Conversations.Contracts.Feedback;
using Conversations.Storage.Encryption;
using Npgsql;

namespace Conversations.Storage.Routing;

/// <summary>Routing details per turn, the usage report, feedback and the knowledge-base facts the answer caches need.</summary>
public sealed class RoutingStore(NpgsqlDataSource db, TenantKeyRing keys)
{
    /// <summary>Writes routing details of many turns in one statement; a turn already recorded is left as it is.</summary>
    public async Task WriteTurnsAsync(IReadOnlyList<RoutingTurnRecord> turns, CancellationToken ct = default)
    {
        if (turns.Count == 0) return;
        await using var cmd = db.CreateCommand("""
            INSERT INTO routing_turns (tenant_id, turn_id, user_id, conversation_id, model, served_by, route, canary_arm, continued,
                prompt_tokens, cached_tokens, completion_tokens, cost_usd, always_large_usd, cached_savings_usd)
            SELECT * FROM unnest(@t, @turn, @u, @c, @m, @s, @r, @arm, @cont, @p, @cached, @comp, @cost, @large, @saved)
            ON CONFLICT (tenant_id, conversation_id, turn_id) DO NOTHING
            """);
        cmd.Parameters.AddWithValue("t", turns.Select(x => x.TenantId).ToArray());
        cmd.Parameters.AddWithValue("turn", turns.Select(x => x.TurnId).ToArray());
        cmd.Parameters.AddWithValue("u", turns.Select(x => x.UserId).ToArray());
        cmd.Parameters.AddWithValue("c", turns.Select(x => x.ConversationId).ToArray());
        cmd.Parameters.AddWithValue("m", turns.Select(x => x.Model).ToArray());
        cmd.Parameters.AddWithValue("s", turns.Select(x => x.ServedBy).ToArray());
        cmd.Parameters.AddWithValue("r", turns.Select(x => x.Route).ToArray());
        cmd.Parameters.AddWithValue("arm", turns.Select(x => x.CanaryArm).ToArray());
        cmd.Parameters.AddWithValue("cont", turns.Select(x => x.Continued).ToArray());
        cmd.Parameters.AddWithValue("p", turns.Select(x => x.PromptTokens).ToArray());
        cmd.Parameters.AddWithValue("cached", turns.Select(x => x.CachedTokens).ToArray());
        cmd.Parameters.AddWithValue("comp", turns.Select(x => x.CompletionTokens).ToArray());
        cmd.Parameters.AddWithValue("cost", turns.Select(x => x.CostUsd).ToArray());
        cmd.Parameters.AddWithValue("large", turns.Select(x => x.AlwaysLargeUsd).ToArray());
        cmd.Parameters.AddWithValue("saved", turns.Select(x => x.CachedSavingsUsd).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Usage per day, user, model and kind (turn, summary, batch, evaluation) in [from, to): tokens and cost from usage_records (the
    /// durable ledger, one row per model call), savings from routing_turns. A turn, summary or batch item is counted
    /// once, by its first call's row; the turn's routing details join that row only, so a continued turn's savings are
    /// not counted twice. Routing savings count turns a model answered: an extractive answer after an outage is not a
    /// choice routing made. <paramref name="userId"/> narrows to one user.
    /// </summary>
    public async Task<IReadOnlyList<UsageReportRow>> UsageAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, string? userId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT (u.created_at AT TIME ZONE 'UTC')::date AS day, u.user_id, u.model, u.kind,
                   count(*) FILTER (WHERE u.attempt = 0 AND u.kind = 'turn'),
                   count(*) FILTER (WHERE u.attempt = 0 AND u.kind = 'summary'),
                   count(*) FILTER (WHERE u.attempt = 0 AND u.kind = 'batch'),
                   count(*) FILTER (WHERE u.attempt = 0 AND u.kind = 'evaluation'),
                   count(*) FILTER (WHERE u.prompt_tokens + u.completion_tokens > 0),
                   count(*) FILTER (WHERE u.estimated),
                   sum(u.prompt_tokens), sum(u.cached_tokens), sum(u.completion_tokens), sum(u.cost_usd),
                   coalesce(sum(r.cached_savings_usd), 0),
                   count(*) FILTER (WHERE r.served_by IN ('exact-cache', 'semantic-cache')),
                   count(*) FILTER (WHERE r.served_by = 'hard-coded'),
                   coalesce(sum(r.always_large_usd - r.cost_usd) FILTER (WHERE r.served_by IN ('exact-cache', 'semantic-cache', 'hard-coded')), 0),
                   coalesce(sum(r.always_large_usd - r.cost_usd) FILTER (WHERE r.served_by = 'model'), 0)
            FROM usage_records u
            LEFT JOIN routing_turns r ON r.tenant_id = u.tenant_id AND r.conversation_id = u.conversation_id AND r.turn_id = u.turn_id AND u.kind IN ('turn', 'evaluation') AND u.attempt = 0
            WHERE u.tenant_id = @t AND u.created_at >= @from AND u.created_at < @to AND (@u::text IS NULL OR u.user_id = @u)
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        // Npgsql writes timestamptz only from UTC values; "-05:00" is the same instant.
        cmd.Parameters.AddWithValue("from", from.ToUniversalTime());
        cmd.Parameters.AddWithValue("to", to.ToUniversalTime());
        cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
        var rows = new List<UsageReportRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(new UsageReportRow(DateOnly.FromDateTime(r.GetDateTime(0)), r.GetString(1), r.GetString(2), r.GetString(3),
                r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(8), r.GetInt64(9),
                r.GetInt64(10), r.GetInt64(11), r.GetInt64(12), r.GetDecimal(13), r.GetDecimal(14), r.GetInt64(15), r.GetInt64(16),
                r.GetDecimal(17), r.GetDecimal(18), EvaluationTurns: r.GetInt64(7)));
        }
        return rows;
    }

    /// <summary>
    /// Records or replaces a vote: whether it is the message's first vote, and the vote it replaced (so tallies count each
    /// message once, with its last vote).
    /// </summary>
    public async Task<(bool First, bool? WasNegative)> UpsertFeedbackAsync(FeedbackRecord f, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            WITH prev AS (SELECT negative FROM routing_feedback WHERE tenant_id = @t AND conversation_id = @c AND seq = @s)
            INSERT INTO routing_feedback (tenant_id, conversation_id, seq, user_id, turn_id, model, negative, comment)
            VALUES (@t, @c, @s, @u, @turn, @m, @n, @comment)
            ON CONFLICT (tenant_id, conversation_id, seq) DO UPDATE SET negative = EXCLUDED.negative, comment = EXCLUDED.comment, updated_at = now()
            RETURNING (xmax = 0), (SELECT negative FROM prev)
            """);
        cmd.Parameters.AddWithValue("t", f.TenantId);
        cmd.Parameters.AddWithValue("c", f.ConversationId);
        cmd.Parameters.AddWithValue("s", f.Seq);
        cmd.Parameters.AddWithValue("u", f.UserId);
        cmd.Parameters.AddWithValue("turn", f.TurnId);
        cmd.Parameters.Add(new NpgsqlParameter("m", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)f.Model ?? DBNull.Value });
        cmd.Parameters.AddWithValue("n", f.Negative);
        // Feedback comments are sealed with the tenant's data key (row identity: the voted message).
        var key = await keys.ForTenantAsync(f.TenantId, ct);
        // An empty comment stays empty, so "with a comment" stays a filter in SQL.
        cmd.Parameters.AddWithValue("comment", f.Comment.Length == 0 ? "" : key.Seal(f.Comment, "routing_feedback", $"{f.ConversationId}/{f.Seq}"));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetBoolean(1));
    }

    /// <summary>Longest page of the feedback listing.</summary>
    public const int MaxFeedbackPage = 200;

    /// <summary>The user's own votes on messages of one conversation with seq in [from, to]: seq to negative.</summary>
    public async Task<IReadOnlyDictionary<long, bool>> VotesAsync(string tenantId, string userId, string conversationId, long from, long to, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT seq, negative FROM routing_feedback
            WHERE tenant_id = @t AND conversation_id = @c AND user_id = @u AND seq BETWEEN @from AND @to
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("u", userId);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        var votes = new Dictionary<long, bool>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) votes[r.GetInt64(0)] = r.GetBoolean(1);
        return votes;
    }

    /// <summary>
    /// One page of the tenant's votes, newest first (by first vote, then conversation and message, descending), after the
    /// query's cursor; and the up and down counts of every vote the filters keep, whatever the page.
    /// </summary>
    public async Task<(IReadOnlyList<FeedbackEntry> Rows, long Up, long Down)> ListFeedbackAsync(string tenantId, FeedbackFilter q, CancellationToken ct = default)
    {
        const string filters = """
            tenant_id = @t AND (@neg::boolean IS NULL OR negative = @neg) AND (@u::text IS NULL OR user_id = @u)
            AND (@m::text IS NULL OR coalesce(model, '') = @m) AND (@since::timestamptz IS NULL OR created_at >= @since)
            AND (@until::timestamptz IS NULL OR created_at < @until) AND (@commented = false OR comment <> '')
            """;
        await using var batch = db.CreateBatch();
        var page = new NpgsqlBatchCommand($"""
            SELECT conversation_id, seq, user_id, turn_id, model, negative, comment, created_at, updated_at FROM routing_feedback
            WHERE {filters} AND (@bt::timestamptz IS NULL OR (created_at, conversation_id, seq) < (@bt, @bc, @bs))
            ORDER BY created_at DESC, conversation_id DESC, seq DESC LIMIT @l
            """);
        var counts = new NpgsqlBatchCommand($"SELECT count(*) FILTER (WHERE NOT negative), count(*) FILTER (WHERE negative) FROM routing_feedback WHERE {filters}");
        foreach (var cmd in new[] { page, counts })
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.Add(new NpgsqlParameter("neg", NpgsqlTypes.NpgsqlDbType.Boolean) { Value = (object?)q.Negative ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)q.UserId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("m", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)q.Model ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("since", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)q.Since?.ToUniversalTime() ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("until", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)q.Until?.ToUniversalTime() ?? DBNull.Value });
            cmd.Parameters.AddWithValue("commented", q.WithComment);
            batch.BatchCommands.Add(cmd);
        }
        page.Parameters.Add(new NpgsqlParameter("bt", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)q.After?.CreatedAt ?? DBNull.Value });
        page.Parameters.Add(new NpgsqlParameter("bc", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)q.After?.ConversationId ?? DBNull.Value });
        page.Parameters.Add(new NpgsqlParameter("bs", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)q.After?.Seq ?? DBNull.Value });
        page.Parameters.AddWithValue("l", Math.Clamp(q.Limit, 1, MaxFeedbackPage));

        var key = await keys.ForTenantAsync(tenantId, ct);
        var rows = new List<FeedbackEntry>();
        await using var r = await batch.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(new FeedbackEntry(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.GetBoolean(5), key.Open(r.GetString(6), "routing_feedback", $"{r.GetString(0)}/{r.GetInt64(1)}"), r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateTimeOffset>(8)));
        }
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        return (rows, r.GetInt64(0), r.GetInt64(1));
    }

    /// <summary>
    /// A fingerprint of the tenant's knowledge base that changes whenever a document is added, changed, relabeled or
    /// deleted (count, latest change, and a sum of per-document hashes over id, label and content).
    /// </summary>
    public async Task<long> KnowledgeVersionAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT count(*), coalesce(extract(epoch FROM max(updated_at)) * 1000000, 0)::bigint,
                   coalesce(sum(hashtext(document_id || ':' || label_id || ':' || encode(content_hash, 'hex'))::bigint), 0)
            FROM kb_documents WHERE tenant_id = @t
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var count = r.GetInt64(0);
        var changed = r.GetInt64(1);
        var hashes = Convert.ToInt64(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture);
        // Fold the three into one non-negative number, the same on every host (no per-process hash seeds).
        unchecked
        {
            var mixed = (ulong)count * 0x9E3779B97F4A7C15UL ^ (ulong)changed * 0xC2B2AE3D27D4EB4FUL ^ (ulong)hashes;
            return (long)(mixed & long.MaxValue);
        }
    }

    /// <summary>The label of each of the tenant's documents among <paramref name="documentIds"/> that still exists.</summary>
    public async Task<IReadOnlyDictionary<string, string>> DocumentLabelsAsync(string tenantId, IReadOnlyList<string> documentIds, CancellationToken ct = default)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (documentIds.Count == 0) return map;
        await using var cmd = db.CreateCommand("""
            SELECT d.document_id, l.name FROM kb_documents d JOIN kb_labels l ON l.tenant_id = d.tenant_id AND l.label_id = d.label_id
            WHERE d.tenant_id = @t AND d.document_id = ANY(@ids)
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("ids", documentIds.Distinct().ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetString(0)] = r.GetString(1);
        return map;
    }
}
