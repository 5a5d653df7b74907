using Conversations.Storage.Encryption;
using Npgsql;

namespace Conversations.Storage.Images;

/// <summary>An image as stored, without its bytes.</summary>
/// <param name="SourceUrl">The URL it was fetched from; null for an upload.</param>
public sealed record ImageRecord(string TenantId, string ImageId, string UserId, string MediaType, int ByteSize, string Sha256, string? SourceUrl);

/// <summary>An entry of a tenant's image blocklist.</summary>
public sealed record BlockedImageRecord(string Sha256, string Note, DateTimeOffset CreatedAt);

/// <summary>
/// Images attached to messages (<c>message_images</c>) and each tenant's blocklist of image hashes. The bytes and the
/// source URL are sealed with the tenant's data key, the image id as row identity; reads are scoped to the owner.
/// </summary>
public sealed class ImageStore(NpgsqlDataSource db, TenantKeyRing keys)
{
    private const string Table = "message_images";

    /// <summary>
    /// Stores an image (its id must be new) unless the tenant's images would then pass <paramref name="tenantLimitBytes"/>
    /// (0: no limit); false when it was not stored for that. A tenant's inserts take a per-tenant lock first, so images
    /// stored at the same moment are each checked against the others' bytes.
    /// </summary>
    public async Task<bool> SaveAsync(ImageRecord image, byte[] content, long tenantLimitBytes = 0, CancellationToken ct = default)
    {
        var key = await keys.ForTenantAsync(image.TenantId, ct);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (tenantLimitBytes > 0)
        {
            await using var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('message_images:' || @t))", connection, tx);
            lockCmd.Parameters.AddWithValue("t", image.TenantId);
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        // A statement of its own after the lock: its snapshot sees what the lock's previous holder committed.
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO message_images (tenant_id, image_id, user_id, media_type, byte_size, sha256, source_url, content)
            SELECT @t, @i, @u, @m, @n, @h, @s, @c
            WHERE @limit <= 0 OR (SELECT coalesce(sum(byte_size), 0) FROM message_images WHERE tenant_id = @t) + @n <= @limit
            """, connection, tx);
        cmd.Parameters.AddWithValue("limit", tenantLimitBytes);
        cmd.Parameters.AddWithValue("t", image.TenantId);
        cmd.Parameters.AddWithValue("i", image.ImageId);
        cmd.Parameters.AddWithValue("u", image.UserId);
        cmd.Parameters.AddWithValue("m", image.MediaType);
        cmd.Parameters.AddWithValue("n", image.ByteSize);
        cmd.Parameters.AddWithValue("h", image.Sha256);
        cmd.Parameters.AddWithValue("s", (object?)key.SealOrNull(image.SourceUrl, Table + ".source_url", image.ImageId) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("c", key.SealBytes(content, Table, image.ImageId));
        var stored = await cmd.ExecuteNonQueryAsync(ct) == 1;
        await tx.CommitAsync(ct);
        return stored;
    }

    /// <summary>Bytes of images the tenant stores.</summary>
    public async Task<long> TenantBytesAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT coalesce(sum(byte_size), 0)::bigint FROM message_images WHERE tenant_id = @t");
        cmd.Parameters.AddWithValue("t", tenantId);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The owner's images among <paramref name="imageIds"/> (others' and unknown ids are left out), with their bytes when asked.</summary>
    public async Task<IReadOnlyList<(ImageRecord Image, byte[]? Content)>> ReadAsync(
        string tenantId, string userId, IReadOnlyList<string> imageIds, bool withContent, CancellationToken ct = default)
    {
        if (imageIds.Count == 0) return [];
        await using var cmd = db.CreateCommand($"""
            SELECT image_id, media_type, byte_size, sha256, source_url{(withContent ? ", content" : "")}
            FROM message_images WHERE tenant_id = @t AND user_id = @u AND image_id = ANY(@ids)
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        cmd.Parameters.AddWithValue("ids", imageIds.ToArray());
        var key = await keys.ForTenantAsync(tenantId, ct);
        var found = new Dictionary<string, (ImageRecord, byte[]?)>(StringComparer.Ordinal);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var id = r.GetString(0);
                var source = r.IsDBNull(4) ? null : key.Open(r.GetString(4), Table + ".source_url", id);
                var content = withContent ? key.OpenBytes(r.GetFieldValue<byte[]>(5), Table, id) : null;
                found[id] = (new ImageRecord(tenantId, id, userId, r.GetString(1), r.GetInt32(2), r.GetString(3), source), content);
            }
        }
        // In the order asked for.
        return imageIds.Where(found.ContainsKey).Select(id => found[id]).ToList();
    }

    /// <summary>One image of the tenant with its bytes, whoever owns it (for a signed link, whose signature already named it), or null.</summary>
    public async Task<(ImageRecord Image, byte[] Content)?> ReadAnyOwnerAsync(string tenantId, string imageId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT user_id FROM message_images WHERE tenant_id = @t AND image_id = @i");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("i", imageId);
        if (await cmd.ExecuteScalarAsync(ct) is not string owner) return null;
        var found = await ReadAsync(tenantId, owner, [imageId], withContent: true, ct);
        return found.Count == 0 ? null : (found[0].Image, found[0].Content!);
    }

    /// <summary>The hashes among <paramref name="sha256s"/> that are on the tenant's blocklist.</summary>
    public async Task<IReadOnlyList<string>> BlockedAsync(string tenantId, IReadOnlyList<string> sha256s, CancellationToken ct = default)
    {
        if (sha256s.Count == 0) return [];
        await using var cmd = db.CreateCommand("SELECT sha256 FROM image_blocklist WHERE tenant_id = @t AND sha256 = ANY(@h)");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("h", sha256s.ToArray());
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>The tenant's blocklist, newest first.</summary>
    public async Task<IReadOnlyList<BlockedImageRecord>> ListBlockedAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT sha256, note, created_at FROM image_blocklist WHERE tenant_id = @t ORDER BY created_at DESC, sha256");
        cmd.Parameters.AddWithValue("t", tenantId);
        var list = new List<BlockedImageRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new BlockedImageRecord(r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2)));
        return list;
    }

    /// <summary>Adds (or re-notes) a hash on the tenant's blocklist.</summary>
    public async Task BlockAsync(string tenantId, string sha256, string note, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO image_blocklist (tenant_id, sha256, note) VALUES (@t, @h, @n)
            ON CONFLICT (tenant_id, sha256) DO UPDATE SET note = excluded.note
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("h", sha256);
        cmd.Parameters.AddWithValue("n", note);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Removes a hash from the tenant's blocklist; false when it was not there.</summary>
    public async Task<bool> UnblockAsync(string tenantId, string sha256, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("DELETE FROM image_blocklist WHERE tenant_id = @t AND sha256 = @h");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("h", sha256);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }
}
