using System.Text.Json.Nodes;
using Conversations.Storage.Audit;
using Npgsql;

namespace Conversations.Storage.Tenancy;

/// <summary>The web origins each tenant allows (CORS), replaced as a whole with an audit entry in the same transaction.</summary>
public sealed class CorsOriginStore(NpgsqlDataSource db)
{
    /// <summary>The tenant's origins, sorted.</summary>
    public async Task<IReadOnlyList<string>> GetAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT origin FROM tenant_cors_origins WHERE tenant_id = @t ORDER BY origin");
        cmd.Parameters.AddWithValue("t", tenantId);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>Replaces the tenant's origins.</summary>
    public async Task SetAsync(string tenantId, IReadOnlyList<string> origins, AuditWho actor, CancellationToken ct = default)
    {
        var before = await GetAsync(tenantId, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM tenant_cors_origins WHERE tenant_id = @t", conn, tx))
        {
            del.Parameters.AddWithValue("t", tenantId);
            await del.ExecuteNonQueryAsync(ct);
        }
        await using (var ins = new NpgsqlCommand("INSERT INTO tenant_cors_origins (tenant_id, origin) SELECT @t, unnest(@o) ON CONFLICT DO NOTHING", conn, tx))
        {
            ins.Parameters.AddWithValue("t", tenantId);
            ins.Parameters.AddWithValue("o", origins.ToArray());
            await ins.ExecuteNonQueryAsync(ct);
        }
        await KeyLifecycleStore.AppendAsync(conn, tx, new AuditWrite(tenantId, actor, "settings.cors", "cors-origins",
            new JsonArray([.. before.Select(o => (JsonNode?)o)]), new JsonArray([.. origins.Select(o => (JsonNode?)o)])), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Whether <paramref name="tenantId"/> (any tenant when null) allows <paramref name="origin"/>.</summary>
    public async Task<bool> IsAllowedAsync(string origin, string? tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM tenant_cors_origins WHERE origin = @o AND (@t::text IS NULL OR tenant_id = @t))");
        cmd.Parameters.AddWithValue("o", origin);
        cmd.Parameters.AddWithValue("t", NpgsqlTypes.NpgsqlDbType.Text, (object?)tenantId ?? DBNull.Value);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
