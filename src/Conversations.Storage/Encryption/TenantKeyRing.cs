using System.Collections.Concurrent;
using System.Security.Cryptography;
using Conversations.Contracts.Encryption;
using Npgsql;

namespace Conversations.Storage.Encryption;

/// <summary>
/// Each tenant's data key: created on first use, stored wrapped by the <see cref="IKeyProvider"/>, cached unwrapped in
/// memory for <see cref="EncryptionOptions.KeyCacheSeconds"/>. After that its row is read again, so a key destroyed on
/// one host stops working on every host within the cache time.
/// </summary>
public sealed class TenantKeyRing(NpgsqlDataSource db, IKeyProvider provider, EncryptionOptions options)
{
    private sealed record Entry(TenantDataKey Key, DateTime FreshUntil);
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    /// <summary>The key provider wrapping the data keys.</summary>
    public IKeyProvider Provider => provider;

    /// <summary>
    /// The tenant's data key (created when it has none). Throws <see cref="TenantDataUnreadableException"/> when it was
    /// destroyed, or its tenant deleted: a late write of a deleted tenant gets no fresh key.
    /// </summary>
    public async ValueTask<TenantDataKey> ForTenantAsync(string tenantId, CancellationToken ct = default)
    {
        if (_cache.TryGetValue(tenantId, out var hit) && hit.FreshUntil > DateTime.UtcNow) return hit.Key;
        return Remember(tenantId, await LoadOrCreateAsync(tenantId, ct));
    }

    /// <summary>
    /// The tenant's data key when it has one, else null (none is created); throws <see cref="TenantDataUnreadableException"/>
    /// when it was destroyed. For readers a caller without a key can reach (signed links): a made-up tenant id must not
    /// make a key.
    /// </summary>
    public async ValueTask<TenantDataKey?> ExistingForTenantAsync(string tenantId, CancellationToken ct = default)
    {
        if (_cache.TryGetValue(tenantId, out var hit) && hit.FreshUntil > DateTime.UtcNow) return hit.Key;
        // A key read is cached as ForTenantAsync caches it (a link to an image pays no read and unwrap each time); none is not.
        return await ReadAsync(tenantId, ct) is { } key ? Remember(tenantId, key) : null;
    }

    private TenantDataKey Remember(string tenantId, TenantDataKey key)
    {
        _cache[tenantId] = new Entry(key, DateTime.UtcNow.AddSeconds(Math.Max(0, options.KeyCacheSeconds)));
        return key;
    }

    /// <summary>Destroys the tenant's data key (the wrapped key is erased), with <paramref name="audit"/> in the same transaction.</summary>
    public async Task<bool> DestroyAsync(string tenantId, Audit.AuditWrite? audit = null, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO tenant_data_keys (tenant_id, wrapped_key, master_key_id, destroyed_at) VALUES (@t, NULL, '', now())
            ON CONFLICT (tenant_id) DO UPDATE SET wrapped_key = NULL, destroyed_at = coalesce(tenant_data_keys.destroyed_at, now())
            """, connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        await cmd.ExecuteNonQueryAsync(ct);
        if (audit is not null) await Audit.AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        _cache.TryRemove(tenantId, out _);
        return true;
    }

    /// <summary>Removes the tenant's key row altogether (after <see cref="DestroyAsync"/>, when the tenant itself is deleted).</summary>
    public async Task ForgetAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("DELETE FROM tenant_data_keys WHERE tenant_id = @t");
        cmd.Parameters.AddWithValue("t", tenantId);
        await cmd.ExecuteNonQueryAsync(ct);
        _cache.TryRemove(tenantId, out _);
    }

    /// <summary>Makes a new master current and re-wraps every live data key with it; rows stay as they are.</summary>
    public async Task<(string MasterKeyId, int Rewrapped)> RotateMasterAsync(CancellationToken ct = default)
    {
        var master = await provider.RotateMasterAsync(ct);
        var rows = new List<(string Tenant, byte[] Wrapped)>();
        await using (var read = db.CreateCommand("SELECT tenant_id, wrapped_key FROM tenant_data_keys WHERE wrapped_key IS NOT NULL AND master_key_id <> @m"))
        {
            read.Parameters.AddWithValue("m", master);
            await using var r = await read.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) rows.Add((r.GetString(0), r.GetFieldValue<byte[]>(1)));
        }
        var count = 0;
        foreach (var (tenant, wrapped) in rows)
        {
            var key = await provider.UnwrapAsync(tenant, wrapped, ct);
            await using var write = db.CreateCommand("""
                UPDATE tenant_data_keys SET wrapped_key = @w, master_key_id = @m, rewrapped_at = now()
                WHERE tenant_id = @t AND wrapped_key = @old
                """);
            write.Parameters.AddWithValue("t", tenant);
            write.Parameters.AddWithValue("w", await provider.WrapAsync(tenant, key, ct));
            write.Parameters.AddWithValue("m", master);
            write.Parameters.AddWithValue("old", wrapped);
            count += await write.ExecuteNonQueryAsync(ct);
            CryptographicOperations.ZeroMemory(key);
        }
        return (master, count);
    }

    /// <summary>The tenant's key facts, or null.</summary>
    public async Task<TenantDataKeyInfo?> DescribeAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT master_key_id, created_at, rewrapped_at, destroyed_at FROM tenant_data_keys WHERE tenant_id = @t");
        cmd.Parameters.AddWithValue("t", tenantId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new TenantDataKeyInfo(tenantId, r.GetString(0), r.GetFieldValue<DateTimeOffset>(1),
            r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3));
    }

    private async Task<TenantDataKey> LoadOrCreateAsync(string tenantId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await ReadAsync(tenantId, ct) is { } existing) return existing;
            var fresh = RandomNumberGenerator.GetBytes(32);
            await using var insert = db.CreateCommand("""
                INSERT INTO tenant_data_keys (tenant_id, wrapped_key, master_key_id) VALUES (@t, @w, @m)
                ON CONFLICT (tenant_id) DO NOTHING
                """);
            insert.Parameters.AddWithValue("t", tenantId);
            insert.Parameters.AddWithValue("w", await provider.WrapAsync(tenantId, fresh, ct));
            insert.Parameters.AddWithValue("m", provider.CurrentMasterKeyId);
            // Another host may have created it first: then read theirs.
            if (await insert.ExecuteNonQueryAsync(ct) == 1) return new TenantDataKey(tenantId, fresh);
        }
        // Neither found nor created: the table skips a deleted tenant's rows (sql/0022), and its key went with it.
        throw new TenantDataUnreadableException(tenantId);
    }

    private async Task<TenantDataKey?> ReadAsync(string tenantId, CancellationToken ct)
    {
        await using var read = db.CreateCommand("SELECT wrapped_key, destroyed_at IS NOT NULL FROM tenant_data_keys WHERE tenant_id = @t");
        read.Parameters.AddWithValue("t", tenantId);
        await using var r = await read.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        if (r.GetBoolean(1)) { _cache.TryRemove(tenantId, out _); throw new TenantDataUnreadableException(tenantId); }
        return new TenantDataKey(tenantId, await provider.UnwrapAsync(tenantId, r.GetFieldValue<byte[]>(0), ct));
    }
}
