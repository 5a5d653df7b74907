using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Audit;

/// <summary>
/// The append-only <c>audit_log</c> table. Stores that change something add <c>AppendCommand</c> to their own
/// batch, so the change and its entry commit together or not at all.
/// </summary>
public sealed class AuditStore(NpgsqlDataSource db)
{
    /// <summary>An insert of <paramref name="e"/>, for a caller's batch.</summary>
    public static NpgsqlBatchCommand AppendCommand(AuditWrite e) =>
        AppendCommand(e.TenantId, e.Actor, e.Action, e.Target, e.Before, e.After);

    /// <summary>An insert of one entry, for a caller's batch (one transaction with the change it records).</summary>
    public static NpgsqlBatchCommand AppendCommand(string? tenantId, AuditWho actor, string action, string target, JsonNode? before, JsonNode? after)
    {
        var cmd = new NpgsqlBatchCommand(
            "INSERT INTO audit_log (tenant_id, actor_key_id, actor_user_id, client_address, action, target, before, after) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)tenantId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)actor.KeyId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)actor.UserId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)actor.ClientAddress ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = action });
        cmd.Parameters.Add(new NpgsqlParameter { Value = target });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)before?.ToJsonString() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)after?.ToJsonString() ?? DBNull.Value });
        return cmd;
    }

    /// <summary>Appends one entry on its own.</summary>
    public async Task AppendAsync(string? tenantId, AuditWho actor, string action, string target, JsonNode? before, JsonNode? after, CancellationToken ct = default)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(AppendCommand(tenantId, actor, action, target, before, after));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One page of a tenant's entries (the platform's own when the tenant is null), newest first.</summary>
    public async Task<IReadOnlyList<AuditRow>> QueryAsync(AuditFilter q, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, tenant_id, at, actor_key_id, actor_user_id, client_address, action, target, before::text, after::text
            FROM audit_log
            WHERE tenant_id IS NOT DISTINCT FROM @t
              AND (@a::text IS NULL OR action = @a OR action LIKE @a || '.%')
              AND (@k::text IS NULL OR actor_key_id = @k)
              AND (@since::timestamptz IS NULL OR at >= @since)
              AND (@until::timestamptz IS NULL OR at < @until)
              AND (@before::bigint IS NULL OR id < @before)
            ORDER BY id DESC LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.Text, (object?)q.TenantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("a", NpgsqlDbType.Text, (object?)q.Action ?? DBNull.Value);
        cmd.Parameters.AddWithValue("k", NpgsqlDbType.Text, (object?)q.ActorKeyId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("since", NpgsqlDbType.TimestampTz, (object?)q.Since?.ToUniversalTime() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("until", NpgsqlDbType.TimestampTz, (object?)q.Until?.ToUniversalTime() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("before", NpgsqlDbType.Bigint, (object?)q.BeforeId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("l", q.Limit);
        var list = new List<AuditRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new AuditRow(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetFieldValue<DateTimeOffset>(2),
                Str(r, 3), Str(r, 4), Str(r, 5), r.GetString(6), r.GetString(7),
                r.IsDBNull(8) ? null : JsonNode.Parse(r.GetString(8)), r.IsDBNull(9) ? null : JsonNode.Parse(r.GetString(9))));
        return list;
    }

    /// <summary>
    /// How many entries of each action a tenant has in a time range, with the moderation blocks (from the moderation
    /// events, by phase) beside them: blocks are counted where they are stored, not written twice.
    /// </summary>
    public async Task<IReadOnlyList<(string Action, long Count)>> CountAsync(string? tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT action, count(*) FROM audit_log WHERE tenant_id IS NOT DISTINCT FROM @t AND at >= @s AND at < @u GROUP BY action
            UNION ALL
            SELECT 'moderation.block.' || phase, count(*) FROM moderation_events
            WHERE tenant_id = @t AND action = 'block' AND created_at >= @s AND created_at < @u GROUP BY phase
            ORDER BY 1
            """);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.Text, (object?)tenantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("s", since.ToUniversalTime());
        cmd.Parameters.AddWithValue("u", until.ToUniversalTime());
        var list = new List<(string, long)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetInt64(1)));
        return list;
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}

/// <summary>Who did it: key id, user, client address (all optional).</summary>
public sealed record AuditWho(string? KeyId, string? UserId, string? ClientAddress);

/// <summary>An entry to write.</summary>
public sealed record AuditWrite(string? TenantId, AuditWho Actor, string Action, string Target, JsonNode? Before, JsonNode? After);

/// <summary>An entry as stored.</summary>
public sealed record AuditRow(
    long Id, string? TenantId, DateTimeOffset At, string? ActorKeyId, string? ActorUserId, string? ClientAddress,
    string Action, string Target, JsonNode? Before, JsonNode? After);

/// <summary>Which entries to read (see the contracts' audit query).</summary>
public sealed record AuditFilter(string? TenantId, string? Action, string? ActorKeyId, DateTimeOffset? Since, DateTimeOffset? Until, long? BeforeId, int Limit);
