using System.Security.Cryptography;
using System.Text;
using Conversations.Contracts;
using Conversations.Contracts.Tenancy;
using Conversations.Storage.Audit;
using Npgsql;

namespace Conversations.Storage.Tenancy;

/// <summary>Tenants, users and API keys in PostgreSQL. Every user and key query is scoped by tenant.</summary>
public sealed class TenancyStore(NpgsqlDataSource db)
{
    /// <summary>Key prefix; the key id follows, then the secret: <c>cvk_{id}_{secret}</c>.</summary>
    public const string KeyPrefix = ApiKeyFormat.Prefix;

    /// <summary>
    /// Creates a tenant; false when the id is taken. <paramref name="audit"/> is written with it, in one transaction. An id
    /// whose tenant was deleted less than <paramref name="settleTime"/> ago waits out the rest first (see
    /// <see cref="ErasedAgoAsync"/>).
    /// </summary>
    public async Task<bool> CreateTenantAsync(string tenantId, string name, AuditWrite? audit = null, CancellationToken ct = default,
        TimeSpan settleTime = default) =>
        (await CreateTenantAsync(tenantId, name, null, audit, settleTime, ct)).Created;

    /// <summary>
    /// Creates a tenant with its first admin user and that user's admin key, in one transaction with
    /// <paramref name="audit"/>: a failure on the way leaves no tenant behind, so the same request can be sent again.
    /// Null when the id is taken. Waits out a deleted tenant's settle time as <see cref="CreateTenantAsync(string, string, AuditWrite?, CancellationToken, TimeSpan)"/>.
    /// </summary>
    public async Task<IssuedApiKey?> OpenTenantAsync(string tenantId, string name, string adminUserId, string adminDisplayName,
        AuditWrite? audit = null, TimeSpan settleTime = default, CancellationToken ct = default) =>
        (await CreateTenantAsync(tenantId, name, (adminUserId, adminDisplayName), audit, settleTime, ct)).AdminKey;

    // The tenant row, and (when asked) its first admin and their key; a taken id creates nothing.
    private async Task<(bool Created, IssuedApiKey? AdminKey)> CreateTenantAsync(string tenantId, string name, (string UserId, string DisplayName)? admin,
        AuditWrite? audit, TimeSpan settleTime, CancellationToken ct)
    {
        // Every process caches a tenant's data key for a few seconds: a deleted tenant's key still cached on another host
        // would seal the new tenant's first writes with a key that no longer exists, and they could never be read.
        if (settleTime > TimeSpan.Zero && await ErasedAgoAsync(tenantId, ct) is { } ago && ago < settleTime) await Task.Delay(settleTime - ago, ct);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("INSERT INTO tenants (tenant_id, name) VALUES (@t, @n) ON CONFLICT DO NOTHING", connection, tx))
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("n", name);
            if (await cmd.ExecuteNonQueryAsync(ct) != 1) return (false, null);
        }
        IssuedApiKey? adminKey = null;
        if (admin is { } first)
        {
            await using (var user = new NpgsqlCommand("INSERT INTO users (tenant_id, user_id, display_name, role) VALUES (@t, @u, @d, @r)", connection, tx))
            {
                user.Parameters.AddWithValue("t", tenantId);
                user.Parameters.AddWithValue("u", first.UserId);
                user.Parameters.AddWithValue("d", first.DisplayName);
                user.Parameters.AddWithValue("r", Roles.TenantAdmin);
                await user.ExecuteNonQueryAsync(ct);
            }
            var (keyId, secret) = (RandomToken(9), RandomToken(24));
            await using (var key = KeyInsert(keyId, secret, tenantId, first.UserId, Roles.TenantAdmin, null))
            {
                key.Connection = connection;
                key.Transaction = tx;
                await key.ExecuteNonQueryAsync(ct);
            }
            adminKey = new IssuedApiKey(keyId, ApiKeyFormat.Format(keyId, secret), tenantId, first.UserId, Roles.TenantAdmin);
        }
        if (audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        return (true, adminKey);
    }

    /// <summary>How long ago a tenant of this id was deleted; null when none was (or one was created again since).</summary>
    public async Task<TimeSpan?> ErasedAgoAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT greatest(extract(epoch FROM now() - erased_at), 0)::float8 FROM erased_tenants WHERE fingerprint = tenant_fingerprint(@t)");
        cmd.Parameters.AddWithValue("t", tenantId);
        return await cmd.ExecuteScalarAsync(ct) is double seconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>The tenant, or null.</summary>
    public async Task<TenantRecord?> GetTenantAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT tenant_id, name, created_at FROM tenants WHERE tenant_id = @t");
        cmd.Parameters.AddWithValue("t", tenantId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new TenantRecord(r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2)) : null;
    }

    /// <summary>
    /// Tenants by id after <paramref name="afterTenantId"/>, with their user counts; <paramref name="search"/>, when
    /// given, keeps those whose id or name contains it (any case).
    /// </summary>
    public async Task<IReadOnlyList<TenantListRecord>> ListTenantsAsync(string? afterTenantId, string? search, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT t.tenant_id, t.name, t.created_at, (SELECT count(*) FROM users u WHERE u.tenant_id = t.tenant_id)
            FROM tenants t
            WHERE t.tenant_id > @a AND (@q = '' OR strpos(lower(t.tenant_id || ' ' || t.name), lower(@q)) > 0)
            ORDER BY t.tenant_id LIMIT @l
            """);
        cmd.Parameters.AddWithValue("a", afterTenantId ?? "");
        cmd.Parameters.AddWithValue("q", search ?? "");
        cmd.Parameters.AddWithValue("l", limit);
        var list = new List<TenantListRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new TenantListRecord(r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.GetInt64(3)));
        return list;
    }

    /// <summary>Creates a user in a tenant; false when the id is taken in that tenant. <paramref name="audit"/> is written with the user, in one transaction.</summary>
    public async Task<bool> CreateUserAsync(string tenantId, string userId, string displayName, string role, AuditWrite? audit = null, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO users (tenant_id, user_id, display_name, role) VALUES (@t, @u, @d, @r) ON CONFLICT DO NOTHING", connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        cmd.Parameters.AddWithValue("d", displayName);
        cmd.Parameters.AddWithValue("r", role);
        if (await cmd.ExecuteNonQueryAsync(ct) != 1) return false;
        if (audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>True when <paramref name="id"/> is the id of one of the tenant's keys (live or not).</summary>
    public async Task<bool> IsKeyIdAsync(string tenantId, string id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT 1 FROM api_keys WHERE tenant_id = @t AND key_id = @k");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("k", id);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>The user of this tenant, or null.</summary>
    public async Task<UserRecord?> GetUserAsync(string tenantId, string userId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT tenant_id, user_id, display_name, role, created_at FROM users WHERE tenant_id = @t AND user_id = @u");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadUser(r) : null;
    }

    /// <summary>Users of one tenant, by id, after <paramref name="afterUserId"/>.</summary>
    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(string tenantId, string? afterUserId, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT tenant_id, user_id, display_name, role, created_at FROM users WHERE tenant_id = @t AND user_id > @a ORDER BY user_id LIMIT @l");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("a", afterUserId ?? "");
        cmd.Parameters.AddWithValue("l", limit);
        var list = new List<UserRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadUser(r));
        return list;
    }

    /// <summary>Issues a new key. Operator keys have no tenant or user.</summary>
    public Task<IssuedApiKey> IssueKeyAsync(string? tenantId, string? userId, string role, CancellationToken ct = default) =>
        IssueKeyAsync(tenantId, userId, role, null, ct);

    /// <summary>Issues a new key that stops working at <paramref name="expiresAt"/> (never when null).</summary>
    public async Task<IssuedApiKey> IssueKeyAsync(string? tenantId, string? userId, string role, DateTimeOffset? expiresAt, CancellationToken ct = default)
    {
        var keyId = RandomToken(9);
        var secret = RandomToken(24);
        await InsertKeyAsync(keyId, secret, tenantId, userId, role, ct, expiresAt);
        return new IssuedApiKey(keyId, ApiKeyFormat.Format(keyId, secret), tenantId, userId, role);
    }

    /// <summary>Stores a key whose text is fixed by configuration (bootstrap and demo keys); no-op when present.</summary>
    public async Task EnsureKeyAsync(string key, string? tenantId, string? userId, string role, CancellationToken ct = default)
    {
        if (!ApiKeyFormat.TryParse(key, out var keyId, out var secret))
            throw new ArgumentException($"Configured key must look like {KeyPrefix}<id>_<secret>.", nameof(key));
        await InsertKeyAsync(keyId, secret, tenantId, userId, role, ct);
    }

    /// <summary>
    /// Makes <paramref name="key"/> the platform's operator key, as configuration says it is: stored when new, its secret
    /// replaced when configuration changed it under the same id, and every other operator key revoked (operator keys come
    /// only from configuration, so a key taken out of it must stop working). One transaction. Returns how many earlier
    /// operator keys stopped working (the replaced secret counts).
    /// </summary>
    public async Task<int> ConfigureOperatorKeyAsync(string key, CancellationToken ct = default)
    {
        if (!ApiKeyFormat.TryParse(key, out var keyId, out var secret))
            throw new ArgumentException($"The configured operator key must look like {KeyPrefix}<id>_<secret>.", nameof(key));
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var upsert = new NpgsqlCommand("""
            WITH before AS (SELECT secret_hash, revoked_at FROM api_keys WHERE key_id = @k AND role = 'operator' AND tenant_id IS NULL)
            INSERT INTO api_keys (key_id, secret_hash, tenant_id, user_id, role) VALUES (@k, @h, NULL, NULL, 'operator')
            ON CONFLICT (key_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, revoked_at = NULL, expires_at = NULL
                WHERE api_keys.role = 'operator' AND api_keys.tenant_id IS NULL
            RETURNING (SELECT count(*) FROM before WHERE before.secret_hash <> @h AND before.revoked_at IS NULL)
            """, connection, tx);
        upsert.Parameters.AddWithValue("k", keyId);
        upsert.Parameters.AddWithValue("h", Hash(secret));
        // No row back: the id is another kind of key's (never replaced: configuration may not take over a tenant's key).
        if (await upsert.ExecuteScalarAsync(ct) is not long replaced)
            throw new InvalidOperationException($"The configured operator key's id '{keyId}' is already a tenant's key id: choose another id.");
        await using var revoke = new NpgsqlCommand(
            "UPDATE api_keys SET revoked_at = now() WHERE role = 'operator' AND tenant_id IS NULL AND key_id <> @k AND revoked_at IS NULL", connection, tx);
        revoke.Parameters.AddWithValue("k", keyId);
        var revoked = await revoke.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return (int)replaced + revoked;
    }

    /// <summary>Resolves a presented key, or null when unknown, revoked or malformed.</summary>
    public async Task<ApiKeyIdentity?> ResolveKeyAsync(string presented, CancellationToken ct = default)
    {
        if (!ApiKeyFormat.TryParse(presented, out var keyId, out var secret)) return null;
        await using var cmd = db.CreateCommand(
            "SELECT secret_hash, tenant_id, user_id, role, scope FROM api_keys WHERE key_id = @k AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())");
        cmd.Parameters.AddWithValue("k", keyId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var stored = (byte[])r[0];
        if (!CryptographicOperations.FixedTimeEquals(stored, Hash(secret))) return null;
        return new ApiKeyIdentity(keyId, r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
            r.IsDBNull(4) ? null : r.GetString(4));
    }

    /// <summary>Revokes a key of the tenant; false when no such key.</summary>
    public async Task<bool> RevokeKeyAsync(string tenantId, string keyId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE api_keys SET revoked_at = now() WHERE key_id = @k AND tenant_id = @t AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue("k", keyId);
        cmd.Parameters.AddWithValue("t", tenantId);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>The user's keys that are not revoked, newest first: metadata only, never the secret or its hash.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string tenantId, string userId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT key_id, user_id, role, created_at, last_used_at, expires_at, scope FROM api_keys " +
            "WHERE tenant_id = @t AND user_id = @u AND revoked_at IS NULL ORDER BY created_at DESC, key_id");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        var list = new List<ApiKeyRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ApiKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
                r.IsDBNull(6) ? null : r.GetString(6)));
        return list;
    }

    /// <summary>Marks the keys as used at <paramref name="at"/>; one statement for a batch, never moving a time backwards.</summary>
    public async Task RecordKeyUseAsync(IReadOnlyCollection<string> keyIds, DateTimeOffset at, CancellationToken ct = default)
    {
        if (keyIds.Count == 0) return;
        await using var cmd = db.CreateCommand(
            "UPDATE api_keys SET last_used_at = @at WHERE key_id = ANY(@k) AND (last_used_at IS NULL OR last_used_at < @at)");
        cmd.Parameters.AddWithValue("k", keyIds.ToArray());
        cmd.Parameters.AddWithValue("at", at.ToUniversalTime());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task InsertKeyAsync(string keyId, string secret, string? tenantId, string? userId, string role, CancellationToken ct, DateTimeOffset? expiresAt = null)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = KeyInsert(keyId, secret, tenantId, userId, role, expiresAt);
        cmd.Connection = connection;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlCommand KeyInsert(string keyId, string secret, string? tenantId, string? userId, string role, DateTimeOffset? expiresAt)
    {
        var cmd = new NpgsqlCommand(
            "INSERT INTO api_keys (key_id, secret_hash, tenant_id, user_id, role, expires_at) VALUES (@k, @h, @t, @u, @r, @x) ON CONFLICT (key_id) DO NOTHING");
        cmd.Parameters.AddWithValue("x", (object?)expiresAt?.ToUniversalTime() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("k", keyId);
        cmd.Parameters.AddWithValue("h", Hash(secret));
        cmd.Parameters.AddWithValue("t", (object?)tenantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("u", (object?)userId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("r", role);
        return cmd;
    }

    // Secrets are 24 random bytes, so a fast hash is enough: there is nothing to brute-force.
    internal static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    internal static string RandomToken(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', 'A').Replace('/', 'B').Replace('_', 'C');

    private static UserRecord ReadUser(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4));
}
