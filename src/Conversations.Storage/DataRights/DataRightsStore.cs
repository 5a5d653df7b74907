using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Conversations.Contracts.Encryption;
using Conversations.Storage.Audit;
using Conversations.Storage.Encryption;
using Conversations.Storage.Tenancy;
using Npgsql;

namespace Conversations.Storage.DataRights;

/// <summary>An export job as stored.</summary>
public sealed record ExportRecord(
    string ExportId, string TenantId, string? UserId, string Status, int StepsDone, int StepsTotal, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long? ArchiveBytes);

/// <summary>
/// Deletions (through the <c>erase_*</c> functions of the schema, each with its audit entry in the same transaction)
/// and the export jobs with the tables' rows they read.
/// </summary>
public sealed class DataRightsStore(NpgsqlDataSource db, TenantKeyRing keys)
{
    /// <summary>
    /// Revokes every live key of a user, committed on its own: the first step of the user's erasure, so nothing the user
    /// holds works while the rest of the erasure runs. Returns how many were revoked.
    /// </summary>
    public async Task<int> RevokeUserKeysAsync(string tenantId, string userId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("UPDATE api_keys SET revoked_at = now() WHERE tenant_id = @t AND user_id = @u AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes a user's data (see <c>erase_user</c>); false when the tenant has no such user.</summary>
    public async Task<bool> EraseUserAsync(string tenantId, string userId, AuditWho actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM users WHERE tenant_id = @t AND user_id = @u FOR UPDATE", conn, tx))
        {
            exists.Parameters.AddWithValue("t", tenantId);
            exists.Parameters.AddWithValue("u", userId);
            if (await exists.ExecuteScalarAsync(ct) is null) return false;
        }
        // Sealed audit states first: erase_user's plain scrub then rewrites the targets older entries were bound to.
        try
        {
            var key = await keys.ForTenantAsync(tenantId, ct);
            await SealedAuditScrub.ScrubAsync(conn, tx, key, tenantId, userId, "(deleted)", ct);
            await Evaluation.EvaluationErasure.EraseUserAsync(conn, tx, key, tenantId, userId, ct);
        }
        catch (TenantDataUnreadableException)
        {
            // A destroyed key: nobody can open the sealed states any more, the user's id in them included.
        }
        int conversations;
        await using (var cmd = new NpgsqlCommand("SELECT erase_user(@t, @u)", conn, tx))
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("u", userId);
            conversations = (int)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await KeyLifecycleStore.AppendAsync(conn, tx, new AuditWrite(tenantId, actor, "user.delete", $"user:{Fingerprint(userId)}", null,
            new JsonObject { ["conversations"] = conversations }), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Deletes every row of a tenant (see <c>erase_tenant</c>); false when there is no such tenant. The deletion is
    /// recorded in the platform's own trail under the id's fingerprint, so nothing left names the tenant.
    /// </summary>
    public async Task<bool> EraseTenantAsync(string tenantId, AuditWho actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT erase_tenant(@t)", conn, tx))
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            if (!(bool)(await cmd.ExecuteScalarAsync(ct))!) return false;
        }
        await KeyLifecycleStore.AppendAsync(conn, tx, new AuditWrite(null, actor, "tenant.delete", $"tenant:{Fingerprint(tenantId)}", null, null), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Throws <see cref="TenantDataUnreadableException"/> when the tenant's data key was destroyed: an export started then
    /// could only fail, so it is refused as the other routes refuse (410).
    /// </summary>
    public async Task EnsureReadableAsync(string tenantId, CancellationToken ct = default) => await keys.ForTenantAsync(tenantId, ct);

    /// <summary>Whether the tenant has the user.</summary>
    public async Task<bool> UserExistsAsync(string tenantId, string userId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT 1 FROM users WHERE tenant_id = @t AND user_id = @u");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>The ids of a user's conversations.</summary>
    public async Task<IReadOnlyList<string>> ListConversationIdsAsync(string tenantId, string userId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT conversation_id FROM conversations WHERE tenant_id = @t AND user_id = @u");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>A short, one-way fingerprint of an id: an operator can check a candidate id against it; the dump cannot name it.</summary>
    public static string Fingerprint(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];

    /// <summary>
    /// Creates an export job with its audit entry, or finds the one of the same scope still running (Created false); null
    /// when <paramref name="userId"/> is given and not a user of the tenant.
    /// </summary>
    public async Task<(ExportRecord Job, bool Created)?> CreateExportAsync(string tenantId, string? userId, int steps, AuditWho actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (userId is not null)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM users WHERE tenant_id = @t AND user_id = @u", conn, tx);
            exists.Parameters.AddWithValue("t", tenantId);
            exists.Parameters.AddWithValue("u", userId);
            if (await exists.ExecuteScalarAsync(ct) is null) return null;
        }
        // One export of a scope at a time: a repeated start (a double click, a retried request, a script) is the export
        // already running, not another copy of the whole tenant being built beside it.
        await LockExportsAsync(conn, tx, tenantId, ct);
        await using (var running = new NpgsqlCommand("""
            SELECT export_id FROM data_exports
            WHERE tenant_id = @t AND user_id IS NOT DISTINCT FROM @u AND status = 'running' AND heartbeat_at >= now() - @stale
            ORDER BY created_at DESC LIMIT 1
            """, conn, tx))
        {
            running.Parameters.AddWithValue("t", tenantId);
            running.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userId ?? DBNull.Value });
            running.Parameters.AddWithValue("stale", StaleAfter);
            if (await running.ExecuteScalarAsync(ct) is string existing)
            {
                await tx.CommitAsync(ct);
                return await GetExportAsync(tenantId, existing, ct) is { } job ? (job, false) : null;
            }
        }
        await PurgeExpiredAsync(tenantId, conn, tx, ct);
        var id = "exp_" + TenancyStore.RandomToken(12);
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO data_exports (export_id, tenant_id, user_id, requested_by, steps_total) VALUES (@id, @t, @u, @by, @n)", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("u", (object?)userId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("by", actor.UserId ?? actor.KeyId ?? "platform");
            cmd.Parameters.AddWithValue("n", steps);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await KeyLifecycleStore.AppendAsync(conn, tx, new AuditWrite(tenantId, actor, "export.start", $"export:{id}", null,
            new JsonObject { ["userId"] = userId, ["scope"] = userId is null ? "tenant" : "user" }), ct);
        await tx.CommitAsync(ct);
        return await GetExportAsync(tenantId, id, ct) is { } created ? (created, true) : null;
    }

    // Starts and restarts of the tenant's exports take turns on this lock (held to the end of the transaction).
    private static async Task LockExportsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string tenantId, CancellationToken ct)
    {
        await using var one = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('data_exports:' || @t))", conn, tx);
        one.Parameters.AddWithValue("t", tenantId);
        await one.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How long a finished archive is kept: a week after an export starts, it goes.</summary>
    public static readonly TimeSpan ArchiveLifetime = TimeSpan.FromDays(7);

    private const string PurgeExpired = "DELETE FROM data_exports WHERE tenant_id = @t AND created_at < now() - @life";

    // Archives are copies of the tenant's data: removed where exports are started or listed (and unreadable once
    // expired), so no sweeper is needed.
    private async Task PurgeExpiredAsync(string tenantId, NpgsqlConnection? conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = conn is null ? db.CreateCommand(PurgeExpired) : new NpgsqlCommand(PurgeExpired, conn, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("life", ArchiveLifetime);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How often a running export touches its heartbeat.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>A running export whose heartbeat is older than this lost its host: it reads as interrupted.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);

    /// <summary>What an interrupted export says.</summary>
    public const string InterruptedReason = "The host running this export stopped before it finished; restart it (POST /v1/exports/{id}/restart).";

    /// <summary>Notes a finished step (and that the export's host is alive).</summary>
    public async Task ProgressAsync(string exportId, int stepsDone, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("UPDATE data_exports SET steps_done = @d, heartbeat_at = now() WHERE export_id = @id AND status = 'running'");
        cmd.Parameters.AddWithValue("id", exportId);
        cmd.Parameters.AddWithValue("d", stepsDone);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Notes that the export's host is alive.</summary>
    public async Task HeartbeatAsync(string exportId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("UPDATE data_exports SET heartbeat_at = now() WHERE export_id = @id AND status = 'running'");
        cmd.Parameters.AddWithValue("id", exportId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Starts an interrupted or failed export again (steps from zero, a fresh heartbeat) with its audit entry; null
    /// when the tenant has no such export or it is running or done.
    /// </summary>
    public async Task<ExportRecord?> RestartExportAsync(string tenantId, string exportId, AuditWho actor, CancellationToken ct = default)
    {
        await MarkInterruptedAsync(tenantId, exportId, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Under the lock a start takes: a restart is refused while another export of the same scope runs (two copies of
        // the whole tenant built side by side).
        await LockExportsAsync(conn, tx, tenantId, ct);
        await using (var cmd = new NpgsqlCommand("""
            UPDATE data_exports e SET status = 'running', steps_done = 0, error = NULL, archive = NULL, archive_bytes = NULL, completed_at = NULL, heartbeat_at = now()
            WHERE e.tenant_id = @t AND e.export_id = @id AND e.status IN ('interrupted', 'failed') AND e.created_at >= now() - @life
              AND NOT EXISTS (SELECT 1 FROM data_exports r WHERE r.tenant_id = e.tenant_id AND r.user_id IS NOT DISTINCT FROM e.user_id
                              AND r.status = 'running' AND r.heartbeat_at >= now() - @stale)
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("life", ArchiveLifetime);
            cmd.Parameters.AddWithValue("stale", StaleAfter);
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("id", exportId);
            if (await cmd.ExecuteNonQueryAsync(ct) != 1) return null;
        }
        await using (var parts = new NpgsqlCommand("DELETE FROM data_export_parts WHERE export_id = @id", conn, tx)) // the failed run's
        {
            parts.Parameters.AddWithValue("id", exportId);
            await parts.ExecuteNonQueryAsync(ct);
        }
        await KeyLifecycleStore.AppendAsync(conn, tx, new AuditWrite(tenantId, actor, "export.restart", $"export:{exportId}", null, null), ct);
        await tx.CommitAsync(ct);
        return await GetExportAsync(tenantId, exportId, ct);
    }

    // A running export whose heartbeat stopped is interrupted: read so at once, written down before a restart.
    private async Task MarkInterruptedAsync(string tenantId, string exportId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE data_exports SET status = 'interrupted', error = @e
            WHERE tenant_id = @t AND export_id = @id AND status = 'running' AND heartbeat_at < now() - @stale
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", exportId);
        cmd.Parameters.AddWithValue("e", InterruptedReason.Replace("{id}", exportId, StringComparison.Ordinal));
        cmd.Parameters.AddWithValue("stale", StaleAfter);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Stores part <paramref name="part"/> of a running export's archive, sealed with the tenant's data key under the
    /// export and the part's number (destroying the key shreds it with the rest; parts cannot be swapped). False when
    /// the export is no longer running (interrupted, deleted).
    /// </summary>
    public async Task<bool> StoreArchivePartAsync(string tenantId, string exportId, int part, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var sealedPart = (await keys.ForTenantAsync(tenantId, ct)).SealBytes(data.Span, "data_export_parts", $"{exportId}/{part}");
        await using var cmd = db.CreateCommand("""
            INSERT INTO data_export_parts (export_id, part, data)
            SELECT export_id, @p, @d FROM data_exports WHERE tenant_id = @t AND export_id = @id AND status = 'running'
            ON CONFLICT (export_id, part) DO UPDATE SET data = EXCLUDED.data
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", exportId);
        cmd.Parameters.AddWithValue("p", part);
        cmd.Parameters.AddWithValue("d", sealedPart);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Ends a running export: succeeded with its archive's size in bytes (its parts stored before), or failed with the
    /// reason (<paramref name="archiveBytes"/> null); an interrupted or deleted one stays so. False when no running
    /// export took it.
    /// </summary>
    public async Task<bool> CompleteExportAsync(string tenantId, string exportId, long? archiveBytes, string? error, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE data_exports SET status = @s, archive_bytes = @b, error = @e, completed_at = now(),
                steps_done = CASE WHEN @b IS NULL THEN steps_done ELSE steps_total END
            WHERE tenant_id = @t AND export_id = @id AND status = 'running'
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", exportId);
        cmd.Parameters.AddWithValue("s", archiveBytes is null ? "failed" : "succeeded");
        cmd.Parameters.Add(new NpgsqlParameter("b", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)archiveBytes ?? DBNull.Value });
        cmd.Parameters.AddWithValue("e", (object?)error ?? DBNull.Value);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>The tenant's export, or null.</summary>
    public async Task<ExportRecord?> GetExportAsync(string tenantId, string exportId, CancellationToken ct = default) =>
        (await ReadExportsAsync(tenantId, exportId, 1, ct)).FirstOrDefault();

    /// <summary>The tenant's exports kept (the last seven days'), newest first, at most <paramref name="limit"/>; expired ones are deleted first.</summary>
    public async Task<IReadOnlyList<ExportRecord>> ListExportsAsync(string tenantId, int limit, CancellationToken ct = default)
    {
        await PurgeExpiredAsync(tenantId, null, null, ct);
        return await ReadExportsAsync(tenantId, null, limit, ct);
    }

    // One read (a console polls it): an expired export reads as gone and a running one whose heartbeat stopped as
    // interrupted; starting or restarting an export writes both down.
    private async Task<IReadOnlyList<ExportRecord>> ReadExportsAsync(string tenantId, string? exportId, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($$"""
            SELECT export_id, tenant_id, user_id, seen.status, steps_done, steps_total,
                   CASE WHEN seen.status = 'interrupted' THEN replace(@e, '{id}', export_id) ELSE error END,
                   created_at, completed_at, coalesce(archive_bytes, length(archive) - {{TenantDataKey.SealedBytesOverhead}})
            FROM data_exports,
                 LATERAL (SELECT CASE WHEN status = 'running' AND heartbeat_at < now() - @stale THEN 'interrupted' ELSE status END AS status) seen
            WHERE tenant_id = @t AND (@id::text IS NULL OR export_id = @id) AND created_at >= now() - @life
            ORDER BY created_at DESC, export_id DESC LIMIT @n
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)exportId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("e", InterruptedReason);
        cmd.Parameters.AddWithValue("stale", StaleAfter);
        cmd.Parameters.AddWithValue("life", ArchiveLifetime);
        cmd.Parameters.AddWithValue("n", limit);
        var list = new List<ExportRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ExportRecord(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<DateTimeOffset>(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
                r.IsDBNull(9) ? null : r.GetInt64(9)));
        return list;
    }

    /// <summary>
    /// The finished archive of the tenant's export as a seekable stream that reads its sealed parts as it goes (each
    /// opened with the tenant's data key); null when there is none (or it expired).
    /// </summary>
    public async Task<Stream?> OpenArchiveAsync(string tenantId, string exportId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT archive, archive_bytes, (SELECT length(data) FROM data_export_parts p WHERE p.export_id = e.export_id AND p.part = 0)
            FROM data_exports e WHERE tenant_id = @t AND export_id = @id AND status = 'succeeded' AND created_at >= now() - @life
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", exportId);
        cmd.Parameters.AddWithValue("life", ArchiveLifetime);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var key = await keys.ForTenantAsync(tenantId, ct);
        // Stored whole, before archives were kept in parts.
        if (!r.IsDBNull(0)) return new MemoryStream(key.OpenBytes(r.GetFieldValue<byte[]>(0), "data_exports.archive", exportId), writable: false);
        if (r.IsDBNull(1) || r.IsDBNull(2)) return null;
        // Every part but the last is full: the first one's size is the archive's part size (whatever the setting is now).
        return new ArchivePartsStream(db, key, exportId, r.GetInt64(1), r.GetInt32(2) - TenantDataKey.SealedBytesOverhead);
    }

    /// <summary>
    /// The ids of the tenant's batch jobs (from their grain state rows), each with its owner as its items record it; null
    /// for a job whose items name no owner (stored before items carried one), whose owner only its sealed state knows.
    /// </summary>
    public async Task<IReadOnlyList<(string JobId, string? Owner)>> ListBatchJobsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT g.job_id,
                   (SELECT i.user_id FROM routing_batch_items i WHERE i.tenant_id = @t AND i.job_id = g.job_id AND i.item_index = 0)
            FROM (SELECT substr(grain_id_extension_string, length(@t) + 2) AS job_id FROM orleans_grain_state
                  WHERE grain_type_string = 'batch-job' AND left(grain_id_extension_string, length(@t) + 1) = @t || '/') g
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        var jobs = new List<(string, string?)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) jobs.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));
        return jobs;
    }

    /// <summary>Deletes one batch job: its listing row, its items and its grain state.</summary>
    public async Task DeleteBatchJobAsync(string tenantId, string jobId, CancellationToken ct = default)
    {
        await using var batch = db.CreateBatch();
        foreach (var table in (string[])["routing_batch_jobs", "routing_batch_items"])
        {
            var rows = new NpgsqlBatchCommand($"DELETE FROM {table} WHERE tenant_id = $1 AND job_id = $2");
            rows.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            rows.Parameters.Add(new NpgsqlParameter { Value = jobId });
            batch.BatchCommands.Add(rows);
        }
        var state = new NpgsqlBatchCommand("DELETE FROM orleans_grain_state WHERE grain_type_string = 'batch-job' AND grain_id_extension_string = $1");
        state.Parameters.Add(new NpgsqlParameter { Value = tenantId + "/" + jobId });
        batch.BatchCommands.Add(state);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The rows of one export section as JSON lines, read as they are consumed: the tenant's (user null) or one user's
    /// rows of that table. Key rows carry metadata only; chunk rows carry text, not vectors.
    /// </summary>
    public async IAsyncEnumerable<string> ReadSectionAsync(string section, string tenantId, string? userId, IReadOnlyList<string>? userJobIds = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (section == "evaluation-cases")
        {
            foreach (var line in await ReadEvaluationCasesAsync(tenantId, userId, ct)) yield return line;
            yield break;
        }
        var sql = section switch
        {
            "users" => "SELECT user_id, display_name, role, created_at FROM users WHERE tenant_id = @t AND (@u::text IS NULL OR user_id = @u) ORDER BY user_id",
            "keys" => "SELECT key_id, user_id, role, scope, created_at, last_used_at, expires_at, revoked_at FROM api_keys WHERE tenant_id = @t AND (@u::text IS NULL OR user_id = @u) ORDER BY created_at",
            "conversations" => "SELECT conversation_id, user_id, title, created_at, updated_at, message_count FROM conversations WHERE tenant_id = @t AND (@u::text IS NULL OR user_id = @u) ORDER BY created_at",
            "messages" => "SELECT m.conversation_id, m.seq, m.turn_id, m.role, m.content, m.status, m.model, m.citations, m.image_ids, m.created_at, m.replaced_by FROM messages m " +
                          "JOIN conversations c USING (tenant_id, conversation_id) WHERE m.tenant_id = @t AND (@u::text IS NULL OR c.user_id = @u) ORDER BY m.conversation_id, m.seq",
            // The images' bytes stay behind (GET /v1/images/{id} reads them); their ids, types, hashes and source URLs go.
            "images" => "SELECT image_id, user_id, media_type, byte_size, sha256, source_url, created_at FROM message_images WHERE tenant_id = @t AND (@u::text IS NULL OR user_id = @u) ORDER BY created_at, image_id",
            "feedback" => "SELECT conversation_id, seq, user_id, turn_id, model, negative, comment, created_at FROM routing_feedback WHERE tenant_id = @t AND (@u::text IS NULL OR user_id = @u) ORDER BY created_at",
            "usage" => "SELECT user_id, conversation_id, turn_id, kind, model, prompt_tokens, cached_tokens, completion_tokens, cost_usd, created_at FROM usage_records WHERE tenant_id = @t AND (@u::text IS NULL OR user_id = @u) ORDER BY id",
            "moderation-events" => "SELECT user_id, conversation_id, turn_id, phase, action, risk_level, labels, content, created_at FROM moderation_events WHERE tenant_id = @t AND (@u::text IS NULL OR user_id = @u) ORDER BY id",
            "audit" => "SELECT id, at, actor_key_id, actor_user_id, client_address, action, target, before, after FROM audit_log WHERE tenant_id = @t AND (@u::text IS NULL OR actor_user_id = @u) ORDER BY id",
            "documents" => "SELECT document_id, title, l.name AS label, chunk_count, char_count, d.created_at, d.updated_at FROM kb_documents d JOIN kb_labels l USING (tenant_id, label_id) WHERE d.tenant_id = @t AND @u::text IS NULL ORDER BY document_id",
            "lexicons" => "SELECT name, words, substring_words, scope, risk_level, action, label, updated_at FROM moderation_lexicons WHERE tenant_id = @t AND @u::text IS NULL ORDER BY name",
            // A batch item's owner is only in its job's (sealed) grain state: a user's items are those of the jobs named.
            "batch-items" => "SELECT job_id, item_index, prompt, status, answer, error, completed_at FROM routing_batch_items WHERE tenant_id = @t " +
                             "AND (@u::text IS NULL OR job_id = ANY(@j)) ORDER BY job_id, item_index",
            _ => throw new ArgumentOutOfRangeException(nameof(section), section, "Unknown export section."),
        };
        var key = SealedFields(section, new JsonObject()).Any() ? await ReadableKeyAsync(tenantId, ct) : null;
        await foreach (var line in ReadJsonLinesAsync($"SELECT row_to_json(x)::text FROM ({sql}) x", tenantId, userId, userJobIds, ct))
            yield return Open(section, key, line);
    }

    // The tenant's key, or null when it was destroyed: sealed columns then stay as stored (nobody can read them any more).
    private async Task<TenantDataKey?> ReadableKeyAsync(string tenantId, CancellationToken ct)
    {
        try
        {
            return await keys.ForTenantAsync(tenantId, ct);
        }
        catch (TenantDataUnreadableException)
        {
            return null;
        }
    }

    // Sealed sets and runs: the cases (a user's: those asked as them) are picked once opened. Without a readable key
    // there is nothing to pick from.
    private async Task<IReadOnlyList<string>> ReadEvaluationCasesAsync(string tenantId, string? userId, CancellationToken ct) =>
        await ReadableKeyAsync(tenantId, ct) is { } key ? await Evaluation.EvaluationExport.ReadCasesAsync(db, key, tenantId, userId, ct) : [];

    // The sealed columns of a section, each with the table and row identity its store seals it under.
    private static IEnumerable<(string Field, string Table, string Row)> SealedFields(string section, JsonObject o)
    {
        string V(string name) => o[name]?.ToString() ?? "";
        switch (section)
        {
            case "conversations":
                yield return ("title", "conversations", V("conversation_id"));
                break;
            case "messages":
                yield return ("content", "messages", $"{V("conversation_id")}/{V("seq")}");
                yield return ("citations", "messages.citations", $"{V("conversation_id")}/{V("seq")}");
                break;
            case "images":
                yield return ("source_url", "message_images.source_url", V("image_id"));
                break;
            case "feedback":
                yield return ("comment", "routing_feedback", $"{V("conversation_id")}/{V("seq")}");
                break;
            case "moderation-events":
                yield return ("content", "moderation_events", $"{V("conversation_id")}/{V("turn_id")}/{V("phase")}");
                break;
            case "documents":
                yield return ("title", "kb_documents", V("document_id"));
                break;
            case "batch-items":
                foreach (var f in new[] { "prompt", "answer", "error" })
                    yield return (f, "routing_batch_items." + f, $"{V("job_id")}/{V("item_index")}");
                break;
            case "audit":
                yield return ("before", Audit.AuditStore.SealTable, V("id"));
                yield return ("after", Audit.AuditStore.SealTable, V("id"));
                break;
            case "chunks":
                yield return ("content", "kb_chunks", $"{V("document_id")}/{V("chunk_index")}");
                break;
        }
    }

    // An archive holds what the tenant wrote: sealed columns are opened with the tenant's key, as their stores open them.
    // Without a key (destroyed) they stay sealed.
    private static string Open(string section, TenantDataKey? key, string line)
    {
        if (key is null) return line;
        var o = JsonNode.Parse(line)!.AsObject();
        foreach (var (field, table, row) in SealedFields(section, o).ToList())
        {
            if (o[field] is not JsonValue value || !value.TryGetValue<string>(out var stored) || stored.Length == 0) continue;
            // Citations are a JSON string holding the sealed array (in a text column, that string is itself JSON).
            if (stored.StartsWith('"')) stored = System.Text.Json.JsonSerializer.Deserialize<string>(stored) ?? "";
            if (!TenantDataKey.IsSealed(stored)) continue;
            try
            {
                var plain = key.Open(stored, table, row);
                o[field] = field is "citations" or "before" or "after" ? JsonNode.Parse(plain) : plain;
            }
            catch (CryptographicException) when (section == "audit" && TryOpenLegacy(key, stored, o) is { } plain)
            {
                o[field] = JsonNode.Parse(plain);
            }
            catch (CryptographicException)
            {
                // A value that does not open under its row stays as stored rather than failing the whole export.
            }
        }
        return o.ToJsonString();
    }

    private static string? TryOpenLegacy(TenantDataKey key, string stored, JsonObject o)
    {
        try
        {
            return key.Open(stored, Audit.AuditStore.SealTable, Audit.AuditStore.LegacySealRow(o["action"]?.ToString() ?? "", o["target"]?.ToString() ?? ""));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The text of the tenant's document chunks, from every embedding dimension's table (no vectors), read as consumed.</summary>
    public async IAsyncEnumerable<string> ReadChunksAsync(string tenantId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var tables = new List<string>();
        await using (var list = db.CreateCommand("SELECT relname FROM pg_class WHERE relkind = 'p' AND relname ~ '^kb_chunks_[0-9]+$' ORDER BY relname"))
        await using (var r = await list.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) tables.Add(r.GetString(0));
        var key = await ReadableKeyAsync(tenantId, ct);
        foreach (var table in tables)
        {
            var sql = $"SELECT row_to_json(x)::text FROM (SELECT document_id, chunk_index, content FROM \"{table}\" WHERE tenant_id = @t AND @u::text IS NULL ORDER BY document_id, chunk_index) x";
            await foreach (var line in ReadJsonLinesAsync(sql, tenantId, null, null, ct)) yield return Open("chunks", key, line);
        }
    }

    private async IAsyncEnumerable<string> ReadJsonLinesAsync(string sql, string tenantId, string? userId, IReadOnlyList<string>? jobIds,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", NpgsqlTypes.NpgsqlDbType.Text, (object?)userId ?? DBNull.Value);
        if (sql.Contains("@j", StringComparison.Ordinal)) cmd.Parameters.AddWithValue("j", (jobIds ?? []).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) yield return r.GetString(0);
    }
}
