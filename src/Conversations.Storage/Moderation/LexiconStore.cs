using Conversations.Storage.Audit;
using Npgsql;

namespace Conversations.Storage.Moderation;

/// <summary>Tenant lexicons; every edit bumps the tenant's lexicon version in the same transaction.</summary>
public sealed class LexiconStore(NpgsqlDataSource db)
{
    /// <summary>
    /// The tenant's lexicons (by name), their version (0 before the first edit) and the tenant's creation time in
    /// microseconds since 1970 (0 without a tenants row).
    /// </summary>
    public async Task<(long Version, long TenantCreated, IReadOnlyList<LexiconRecord> Lexicons)> LoadAsync(string tenantId, CancellationToken ct = default)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command("""
            SELECT coalesce((SELECT version FROM moderation_lexicon_versions WHERE tenant_id = @t), 0),
                   coalesce((SELECT (extract(epoch FROM created_at) * 1000000)::bigint FROM tenants WHERE tenant_id = @t), 0)
            """, tenantId));
        batch.BatchCommands.Add(Command(
            "SELECT name, words, risk_level, action, label, updated_at, substring_words, scope FROM moderation_lexicons WHERE tenant_id = @t ORDER BY name", tenantId));
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var version = r.GetInt64(0);
        var tenantCreated = r.GetInt64(1);
        await r.NextResultAsync(ct);
        var list = new List<LexiconRecord>();
        while (await r.ReadAsync(ct))
            list.Add(new LexiconRecord(r.GetString(0), r.GetFieldValue<string[]>(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<string[]>(6), r.GetString(7)));
        return (version, tenantCreated, list);
    }

    /// <summary>Creates or replaces a lexicon; returns the tenant's new lexicon version.</summary>
    public async Task<long> UpsertAsync(string tenantId, LexiconRecord lexicon, AuditWrite? audit = null, CancellationToken ct = default)
    {
        await using var batch = db.CreateBatch();
        var upsert = Command("""
            INSERT INTO moderation_lexicons (tenant_id, name, words, risk_level, action, label, updated_at, substring_words, scope)
            VALUES (@t, @n, @w, @r, @a, @l, @u, @s, @scope)
            ON CONFLICT (tenant_id, name) DO UPDATE
            SET words = excluded.words, risk_level = excluded.risk_level, action = excluded.action, label = excluded.label,
                updated_at = excluded.updated_at, substring_words = excluded.substring_words, scope = excluded.scope
            """, tenantId);
        upsert.Parameters.AddWithValue("n", lexicon.Name);
        upsert.Parameters.AddWithValue("w", lexicon.Words.ToArray());
        upsert.Parameters.AddWithValue("r", lexicon.RiskLevel);
        upsert.Parameters.AddWithValue("a", lexicon.Action);
        upsert.Parameters.AddWithValue("l", lexicon.Label);
        upsert.Parameters.AddWithValue("u", lexicon.UpdatedAt);
        upsert.Parameters.AddWithValue("s", lexicon.SubstringWords.ToArray());
        upsert.Parameters.AddWithValue("scope", lexicon.Scope);
        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(BumpVersion(tenantId));
        if (audit is not null) batch.BatchCommands.Add(AuditStore.AppendCommand(audit));
        // A batch runs in one implicit transaction: the row, the version and the audit entry change together.
        return (long)(await batch.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Deletes a lexicon; null when there was none, else the tenant's new lexicon version.</summary>
    public async Task<long?> DeleteAsync(string tenantId, string name, AuditWrite? audit = null, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var delete = new NpgsqlCommand("DELETE FROM moderation_lexicons WHERE tenant_id = @t AND name = @n", connection, tx);
        delete.Parameters.AddWithValue("t", tenantId);
        delete.Parameters.AddWithValue("n", name);
        if (await delete.ExecuteNonQueryAsync(ct) == 0) return null;
        await using var bump = new NpgsqlCommand(BumpSql, connection, tx);
        bump.Parameters.AddWithValue("t", tenantId);
        var version = (long)(await bump.ExecuteScalarAsync(ct))!;
        if (audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        return version;
    }

    private const string BumpSql = """
        INSERT INTO moderation_lexicon_versions (tenant_id, version) VALUES (@t, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET version = moderation_lexicon_versions.version + 1
        RETURNING version
        """;

    private static NpgsqlBatchCommand BumpVersion(string tenantId) => Command(BumpSql, tenantId);

    private static NpgsqlBatchCommand Command(string sql, string tenantId)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddWithValue("t", tenantId);
        return cmd;
    }
}
