using System.Text.Json.Nodes;
using Conversations.Contracts.Tenancy;
using Conversations.Storage.Audit;
using Npgsql;

namespace Conversations.Storage.Tenancy;

/// <summary>A key's metadata as the audit log shows it: never the secret or its hash.</summary>
internal sealed record KeyMetadata(string KeyId, string UserId, string Role, string? Scope, DateTimeOffset? ExpiresAt)
{
    /// <summary>The metadata as JSON for an audit entry.</summary>
    public JsonObject ToJson() => new()
    {
        ["keyId"] = KeyId, ["userId"] = UserId, ["role"] = Role, ["scope"] = Scope, ["expiresAt"] = ExpiresAt,
    };
}

/// <summary>Issue, revoke and rotate tenant keys, each with its audit entry in the same transaction.</summary>
public sealed class KeyLifecycleStore(NpgsqlDataSource db)
{
    /// <summary>Issues a key for the user with the user's role; null when the tenant has no such user.</summary>
    public async Task<IssuedApiKey?> IssueAsync(string tenantId, string userId, string? scope, DateTimeOffset? expiresAt, AuditWho actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        string role;
        // FOR SHARE: a user's erasure (which locks the row FOR UPDATE) waits for this key and deletes it, or this waits
        // for the erasure and finds no user; a key never outlives its user by being issued while the user is erased.
        await using (var cmd = new NpgsqlCommand("SELECT role FROM users WHERE tenant_id = @t AND user_id = @u FOR SHARE", conn, tx))
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("u", userId);
            if (await cmd.ExecuteScalarAsync(ct) is not string r) return null;
            role = r;
        }
        var issued = await InsertAsync(conn, tx, tenantId, userId, role, scope, expiresAt, ct);
        await AppendAsync(conn, tx, new AuditWrite(tenantId, actor, "key.issue", $"key:{issued.KeyId}", null,
            new KeyMetadata(issued.KeyId, userId, role, scope, expiresAt).ToJson()), ct);
        await tx.CommitAsync(ct);
        return issued;
    }

    /// <summary>Revokes a live key of the tenant; false when there is none.</summary>
    public async Task<bool> RevokeAsync(string tenantId, string keyId, AuditWho actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One revocation of an admin key at a time in a tenant: two admins revoking each other's keys at once must not
        // both see the other's as the one left.
        await using (var one = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('admin-keys:' || @t))", conn, tx))
        {
            one.Parameters.AddWithValue("t", tenantId);
            await one.ExecuteNonQueryAsync(ct);
        }
        if (await LockLiveAsync(conn, tx, tenantId, keyId, ct) is not (var key, _)) return false;
        if (key.Role == Contracts.Roles.TenantAdmin && key.Scope is null or Contracts.KeyScopes.Admin)
        {
            await using var others = new NpgsqlCommand("""
                SELECT 1 FROM api_keys k JOIN users u ON u.tenant_id = k.tenant_id AND u.user_id = k.user_id
                WHERE k.tenant_id = @t AND k.key_id <> @k AND k.role = 'tenant_admin' AND (k.scope IS NULL OR k.scope = 'admin')
                  AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) LIMIT 1
                """, conn, tx);
            others.Parameters.AddWithValue("t", tenantId);
            others.Parameters.AddWithValue("k", keyId);
            if (await others.ExecuteScalarAsync(ct) is null) throw new Contracts.Tenancy.LastAdminKeyException(keyId);
        }
        await using (var cmd = new NpgsqlCommand("UPDATE api_keys SET revoked_at = now() WHERE key_id = @k", conn, tx))
        {
            cmd.Parameters.AddWithValue("k", keyId);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await AppendAsync(conn, tx, new AuditWrite(tenantId, actor, "key.revoke", $"key:{keyId}", key.ToJson(), null), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Issues a successor of a live key and shortens the old key's life to <paramref name="overlap"/>; null when there is no such key.</summary>
    public async Task<(IssuedApiKey NewKey, DateTimeOffset OldExpiresAt)?> RotateAsync(
        string tenantId, string keyId, TimeSpan overlap, AuditWho actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The key's user first, FOR SHARE (as an issue does; in the order an erasure takes its locks, user then keys): a
        // successor is never left behind by a rotation that ran while its user was erased.
        await using (var user = new NpgsqlCommand(
            "SELECT 1 FROM users u JOIN api_keys k ON k.tenant_id = u.tenant_id AND k.user_id = u.user_id WHERE k.key_id = @k AND k.tenant_id = @t FOR SHARE OF u", conn, tx))
        {
            user.Parameters.AddWithValue("k", keyId);
            user.Parameters.AddWithValue("t", tenantId);
            if (await user.ExecuteScalarAsync(ct) is null) return null;
        }
        if (await LockLiveAsync(conn, tx, tenantId, keyId, ct) is not (var old, var successor))
        {
            // Rotated already with no overlap left (overlapMinutes 0 ends the old key at once): a conflict naming the
            // successor, as while the overlap lasts, not a key that never existed.
            await using var rotated = new NpgsqlCommand("SELECT rotated_to FROM api_keys WHERE key_id = @k AND tenant_id = @t AND revoked_at IS NULL", conn, tx);
            rotated.Parameters.AddWithValue("k", keyId);
            rotated.Parameters.AddWithValue("t", tenantId);
            if (await rotated.ExecuteScalarAsync(ct) is string next) throw new Contracts.Tenancy.KeyAlreadyRotatedException(keyId, next);
            return null;
        }
        // Of two rotations at once, the second waited for the first's lock and reads the row as it left it.
        if (successor is not null) throw new Contracts.Tenancy.KeyAlreadyRotatedException(keyId, successor);
        var issued = await InsertAsync(conn, tx, tenantId, old.UserId, old.Role, old.Scope, old.ExpiresAt, ct);
        DateTimeOffset oldExpires;
        await using (var cmd = new NpgsqlCommand(
            "UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + @o), rotated_to = @n WHERE key_id = @k RETURNING expires_at", conn, tx))
        {
            cmd.Parameters.AddWithValue("k", keyId);
            cmd.Parameters.AddWithValue("n", issued.KeyId);
            cmd.Parameters.AddWithValue("o", overlap);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new InvalidOperationException("The rotated key vanished.");
            oldExpires = r.GetFieldValue<DateTimeOffset>(0);
        }
        var after = new KeyMetadata(issued.KeyId, old.UserId, old.Role, old.Scope, old.ExpiresAt).ToJson();
        after["oldKeyExpiresAt"] = oldExpires;
        await AppendAsync(conn, tx, new AuditWrite(tenantId, actor, "key.rotate", $"key:{keyId}", old.ToJson(), after), ct);
        await tx.CommitAsync(ct);
        return (issued, oldExpires);
    }

    // Locks a live key's row and reads it with its successor, if it was rotated (FOR UPDATE re-reads a row another
    // transaction changed while this one waited).
    private static async Task<(KeyMetadata Key, string? RotatedTo)?> LockLiveAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string tenantId, string keyId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT key_id, user_id, role, scope, expires_at, rotated_to FROM api_keys WHERE key_id = @k AND tenant_id = @t AND revoked_at IS NULL " +
            "AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE", conn, tx);
        cmd.Parameters.AddWithValue("k", keyId);
        cmd.Parameters.AddWithValue("t", tenantId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return (new KeyMetadata(r.GetString(0), r.IsDBNull(1) ? "" : r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
            r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4)), r.IsDBNull(5) ? null : r.GetString(5));
    }

    private static async Task<IssuedApiKey> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string tenantId, string userId, string role,
        string? scope, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var keyId = TenancyStore.RandomToken(9);
        var secret = TenancyStore.RandomToken(24);
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO api_keys (key_id, secret_hash, tenant_id, user_id, role, scope, expires_at) VALUES (@k, @h, @t, @u, @r, @s, @x)", conn, tx);
        cmd.Parameters.AddWithValue("k", keyId);
        cmd.Parameters.AddWithValue("h", TenancyStore.Hash(secret));
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        cmd.Parameters.AddWithValue("r", role);
        cmd.Parameters.AddWithValue("s", (object?)scope ?? DBNull.Value);
        cmd.Parameters.AddWithValue("x", (object?)expiresAt?.ToUniversalTime() ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
        return new IssuedApiKey(keyId, ApiKeyFormat.Format(keyId, secret), tenantId, userId, role);
    }

    internal static async Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditWrite entry, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(AuditStore.AppendCommand(entry));
        await batch.ExecuteNonQueryAsync(ct);
    }
}
