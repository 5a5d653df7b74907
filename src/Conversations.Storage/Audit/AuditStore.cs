using System.Text.Json.Nodes;
using Conversations.Contracts.Audit;
using Conversations.Contracts.Encryption;
using Conversations.Storage.Encryption;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Audit;

/// <summary>
/// The append-only <c>audit_log</c> table. Stores that change something add <c>AppendCommand</c> to their own
/// batch, so the change and its entry commit together or not at all.
/// </summary>
public sealed class AuditStore(NpgsqlDataSource db, TenantKeyRing keys)
{
    /// <summary>The table name in the associated data of a sealed before/after state.</summary>
    public const string SealTable = "audit_log";

    /// <summary>The row identity a sealed before/after state is bound to: the entry's id, so a state moved to another entry fails to open.</summary>
    public static string SealRow(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Entries sealed before states were bound to their id were bound to their action and target.
    internal static string LegacySealRow(string action, string target) => $"{action}/{target}";

    /// <summary>An insert of <paramref name="e"/>, for a caller's batch (one transaction with the change it records).</summary>
    public static NpgsqlBatchCommand AppendCommand(AuditWrite e)
    {
        var cmd = new NpgsqlBatchCommand(
            "INSERT INTO audit_log (id, tenant_id, actor_key_id, actor_user_id, client_address, action, target, before, after) " +
            "VALUES (COALESCE($1, nextval(pg_get_serial_sequence('audit_log', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9)");
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)e.Id ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)e.TenantId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)e.Actor.KeyId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)e.Actor.UserId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)e.Actor.ClientAddress ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { Value = e.Action });
        cmd.Parameters.Add(new NpgsqlParameter { Value = e.Target });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)e.Before?.ToJsonString() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)e.After?.ToJsonString() ?? DBNull.Value });
        return cmd;
    }

    /// <summary>An insert of one entry, for a caller's batch.</summary>
    public static NpgsqlBatchCommand AppendCommand(string? tenantId, AuditWho actor, string action, string target, JsonNode? before, JsonNode? after) =>
        AppendCommand(new AuditWrite(tenantId, actor, action, target, before, after));

    /// <summary>
    /// The entry ready to insert: its id taken from the table's sequence, and a tenant's before/after states (what its
    /// admins wrote: instructions, lexicons, roles) sealed with the tenant's key, bound to that id.
    /// </summary>
    public async Task<AuditWrite> PrepareAsync(AuditWrite e, CancellationToken ct = default)
    {
        if (e.Id is not null || e.TenantId is null || e.Before is null && e.After is null) return e;
        await using var next = db.CreateCommand("SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))");
        var id = (long)(await next.ExecuteScalarAsync(ct))!;
        var key = await keys.ForTenantAsync(e.TenantId, ct);
        return e with
        {
            Id = id,
            Before = e.Before is null ? null : JsonValue.Create(key.Seal(e.Before.ToJsonString(), SealTable, SealRow(id))),
            After = e.After is null ? null : JsonValue.Create(key.Seal(e.After.ToJsonString(), SealTable, SealRow(id))),
        };
    }

    /// <summary>
    /// The prepared entry of a change made for an admin request: what the request asked, and what changed from
    /// <paramref name="before"/> to <paramref name="after"/> (only the differing parts, large ones as their digest).
    /// </summary>
    public Task<AuditWrite> ChangeEntryAsync(AuditedRequest request, string tenantId, JsonNode? before, JsonNode? after, CancellationToken ct = default)
    {
        var (changedBefore, changedAfter) = AuditJson.Changes(before, after);
        return PrepareAsync(new AuditWrite(tenantId, new AuditWho(request.KeyId, request.UserId, request.ClientAddress), request.Action, request.Target,
            AuditJson.Bounded(changedBefore),
            new JsonObject { ["request"] = AuditJson.BoundedText(request.Request), ["state"] = AuditJson.Bounded(changedAfter) }), ct);
    }

    /// <summary>
    /// A prepared entry as one JSON object whose names are the table's columns: what a grain state write carries for
    /// <c>orleans_grain_state_write</c> to insert in the same statement (sql/0013).
    /// </summary>
    public static string ToRowJson(AuditWrite e) => new JsonObject
    {
        ["id"] = e.Id,
        ["tenant_id"] = e.TenantId,
        ["actor_key_id"] = e.Actor.KeyId,
        ["actor_user_id"] = e.Actor.UserId,
        ["client_address"] = e.Actor.ClientAddress,
        ["action"] = e.Action,
        ["target"] = e.Target,
        ["before"] = e.Before?.DeepClone(),
        ["after"] = e.After?.DeepClone(),
    }.ToJsonString();

    /// <summary>Appends one entry in its own transaction (for changes that have none of their own).</summary>
    public Task AppendAsync(string? tenantId, AuditWho actor, string action, string target, JsonNode? before, JsonNode? after, CancellationToken ct = default) =>
        AppendAsync(new AuditWrite(tenantId, actor, action, target, before, after), ct);

    /// <summary>Appends one entry (prepared here unless it is already) in its own transaction.</summary>
    public async Task AppendAsync(AuditWrite e, CancellationToken ct = default)
    {
        var entry = await PrepareAsync(e, ct);
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(AppendCommand(entry));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Appends a prepared entry inside the caller's transaction.</summary>
    public static async Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, AuditWrite entry, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(AppendCommand(entry));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One page of a tenant's entries (the platform's own when the tenant is null), newest first.</summary>
    public async Task<IReadOnlyList<AuditRow>> QueryAsync(AuditFilter q, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, tenant_id, at, actor_key_id, actor_user_id, client_address, action, target, before::text, after::text
            FROM audit_log
            WHERE tenant_id IS NOT DISTINCT FROM @t
              -- The filter is an action or its prefix: its own % and _ are letters, not LIKE wildcards.
              AND (@a::text IS NULL OR action = @a OR action LIKE replace(replace(replace(@a, '\', '\\'), '%', '\%'), '_', '\_') || '.%')
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
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                list.Add(new AuditRow(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetFieldValue<DateTimeOffset>(2),
                    Str(r, 3), Str(r, 4), Str(r, 5), r.GetString(6), r.GetString(7),
                    r.IsDBNull(8) ? null : JsonNode.Parse(r.GetString(8)), r.IsDBNull(9) ? null : JsonNode.Parse(r.GetString(9))));
        if (q.TenantId is null || !list.Any(e => Sealed(e.Before) || Sealed(e.After))) return list;
        TenantDataKey key;
        try
        {
            key = await keys.ForTenantAsync(q.TenantId, ct);
        }
        catch (TenantDataUnreadableException)
        {
            // Crypto-shredded: nobody can open the states any more; say so rather than hand out the sealed bytes.
            return list.Select(e => e with { Before = Shredded(e.Before), After = Shredded(e.After) }).ToList();
        }
        return list.Select(e => e with { Before = Open(key, e.Before, e), After = Open(key, e.After, e) }).ToList();
    }

    /// <summary>What an audit entry shows for a state sealed with a destroyed data key.</summary>
    public const string ShreddedState = "(unreadable: the tenant's data key was destroyed)";

    private static JsonNode? Shredded(JsonNode? state) => Sealed(state) ? JsonValue.Create(ShreddedState) : state;

    private static bool Sealed(JsonNode? state) =>
        state is JsonValue v && v.TryGetValue<string>(out var s) && TenantDataKey.IsSealed(s);

    private static JsonNode? Open(TenantDataKey key, JsonNode? state, AuditRow e)
    {
        if (!Sealed(state)) return state;
        try
        {
            return JsonNode.Parse(key.Open(state!.GetValue<string>(), SealTable, SealRow(e.Id)));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            try
            {
                return JsonNode.Parse(key.Open(state!.GetValue<string>(), SealTable, LegacySealRow(e.Action, e.Target)));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return state; // not bound to this entry: shown as stored
            }
        }
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

/// <summary>An entry to write; <paramref name="Id"/> is set once it is prepared (its states sealed to it).</summary>
public sealed record AuditWrite(string? TenantId, AuditWho Actor, string Action, string Target, JsonNode? Before, JsonNode? After, long? Id = null);

/// <summary>An entry as stored.</summary>
public sealed record AuditRow(
    long Id, string? TenantId, DateTimeOffset At, string? ActorKeyId, string? ActorUserId, string? ClientAddress,
    string Action, string Target, JsonNode? Before, JsonNode? After);

/// <summary>Which entries to read (see the contracts' audit query).</summary>
public sealed record AuditFilter(string? TenantId, string? Action, string? ActorKeyId, DateTimeOffset? Since, DateTimeOffset? Until, long? BeforeId, int Limit);
