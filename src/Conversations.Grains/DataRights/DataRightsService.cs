using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Conversations.Contracts.Chat;
using Conversations.Contracts.DataRights;
using Conversations.Contracts.Drift;
using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Moderation;
using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;
using Conversations.Storage.Audit;
using Conversations.Storage.DataRights;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.DataRights;

/// <summary>
/// Exports and deletions. Grains that hold a user's data in memory are told first (conversations deleted, memory
/// forgotten), then one transaction removes the rows; a tenant's data key is destroyed before its rows go, and its
/// active grains are deactivated after them.
/// Exports run in the background of the host that started them, writing progress and a heartbeat to their job row;
/// one whose host stops reads as interrupted and can be restarted.
/// </summary>
internal sealed partial class DataRightsService(
    DataRightsStore store, IGrainFactory grains, ITenantDataErasure keys, IOptions<DataRightsOptions> options, ILogger<DataRightsService> logger) : IDataRights
{
    private static readonly string[] TenantSections =
        ["users", "keys", "conversations", "messages", "images", "feedback", "usage", "moderation-events", "audit", "documents", "lexicons", "batch-items", "evaluation-cases"];
    private static readonly string[] UserSections =
        ["users", "keys", "conversations", "messages", "images", "feedback", "usage", "moderation-events", "audit", "batch-items", "evaluation-cases"];

    /// <inheritdoc />
    public async Task<bool> DeleteUserAsync(string tenantId, string userId, AuditActor actor, CancellationToken ct)
    {
        if (!await store.UserExistsAsync(tenantId, userId, ct)) return false;
        // The user's keys stop working first: nothing sent with them can write back (a message, a memory) while the
        // erasure runs. Not in the request's token: a caller who leaves must not stop it half-way.
        await store.RevokeUserKeysAsync(tenantId, userId, CancellationToken.None);
        // The grains first: an active conversation or memory would otherwise keep (and could write back) what is deleted.
        var owner = new Caller(tenantId, userId, Roles.User);
        foreach (var conversationId in await store.ListConversationIdsAsync(tenantId, userId, ct))
            await OnceMoreIfRejected(() => grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(tenantId, conversationId)).DeleteAsync(owner));
        await OnceMoreIfRejected(() => grains.GetGrain<IUserGrain>(GrainKeys.Scoped(tenantId, userId)).EraseAsync());
        // The user's roles: another person given the same id later must not read what this one could.
        var acl = grains.GetGrain<ITenantAclGrain>(tenantId);
        if ((await acl.GetAsync()).Users.Any(u => u.UserId == userId)) await acl.SetUserRolesAsync(userId, []);
        // The drift sketch's sampled embeddings of the user's questions (its totals name nobody and stay).
        await OnceMoreIfRejected(() => grains.GetGrain<IDriftGrain>(tenantId).ForgetUserAsync(userId));
        // Each of the user's batch jobs: the grain forgets it first (a running one stops, a finished one leaves memory),
        // then its rows go.
        foreach (var jobId in await UserJobIdsAsync(tenantId, userId, ct))
        {
            await OnceMoreIfRejected(grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(tenantId, jobId)).EraseAsync);
            await store.DeleteBatchJobAsync(tenantId, jobId, ct);
        }
        return await store.EraseUserAsync(tenantId, userId, Who(actor), ct);
    }

    // A job's items name its owner; only a job whose items name none (stored before they did) is asked, by its grain.
    private async Task<List<string>> UserJobIdsAsync(string tenantId, string userId, CancellationToken ct)
    {
        var owned = new List<string>();
        foreach (var (jobId, owner) in await store.ListBatchJobsAsync(tenantId, ct))
            if (owner == userId || (owner is null && (await grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(tenantId, jobId)).GetAsync())?.UserId == userId))
                owned.Add(jobId);
        return owned;
    }

    // Each of these grains deactivates once it has erased: calls queued behind the first (the same deletion sent twice
    // at once, a double click) are forwarded to an activation that is going, and Orleans rejects them after two
    // forwards. Sent again, they reach the next activation, which has nothing left to erase.
    private static async Task OnceMoreIfRejected(Func<Task> erase)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await erase();
                return;
            }
            catch (OrleansMessageRejectionException) when (attempt < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteTenantAsync(string tenantId, AuditActor actor, CancellationToken ct)
    {
        // Not with the request's token: a caller who leaves must not stop the deletion between its steps. The key is
        // destroyed first and its destroyed record kept until the rows are gone: should their deletion fail, what is
        // left reads as destroyed (410, and the operator deletes again), never under a fresh key.
        await keys.EraseTenantKeysAsync(tenantId, CancellationToken.None);
        var existed = await store.EraseTenantAsync(tenantId, Who(actor), CancellationToken.None);
        await keys.ForgetTenantKeysAsync(tenantId, CancellationToken.None);
        if (!existed) return false;
        // After the rows: a grain deactivated before could be activated again by a late call and reload them.
        await TenantGrains.DeactivateAsync(grains, tenantId, logger);
        return true;
    }

    /// <inheritdoc />
    public async Task<DataExportInfo?> StartExportAsync(string tenantId, string? userId, AuditActor actor, CancellationToken ct)
    {
        await store.EnsureReadableAsync(tenantId, ct);
        var sections = userId is null ? TenantSections : UserSections;
        var steps = sections.Length + 2; // + settings or memory, + chunks or the manifest
        if (await store.CreateExportAsync(tenantId, userId, steps, Who(actor), ct) is not var (job, created)) return null;
        if (created) _ = Task.Run(() => RunExportAsync(job.ExportId, tenantId, userId, sections), CancellationToken.None);
        return ToInfo(job);
    }

    /// <inheritdoc />
    public async Task<DataExportInfo?> RestartExportAsync(string tenantId, string exportId, AuditActor actor, CancellationToken ct)
    {
        await store.EnsureReadableAsync(tenantId, ct);
        if (await store.RestartExportAsync(tenantId, exportId, Who(actor), ct) is not { } job) return null;
        _ = Task.Run(() => RunExportAsync(job.ExportId, tenantId, job.UserId, job.UserId is null ? TenantSections : UserSections), CancellationToken.None);
        return ToInfo(job);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DataExportInfo>> ListExportsAsync(string tenantId, int limit, CancellationToken ct) =>
        [.. (await store.ListExportsAsync(tenantId, limit, ct)).Select(ToInfo)];

    /// <inheritdoc />
    public async Task<DataExportInfo?> GetExportAsync(string tenantId, string exportId, CancellationToken ct) =>
        await store.GetExportAsync(tenantId, exportId, ct) is { } job ? ToInfo(job) : null;

    /// <inheritdoc />
    public Task<Stream?> OpenArchiveAsync(string tenantId, string exportId, CancellationToken ct) => store.OpenArchiveAsync(tenantId, exportId, ct);

    // The archive is built in a temporary file, its sections streamed row by row, then stored in sealed parts: however
    // large the tenant, the host holds one row and one part in memory, never the archive.
    private async Task RunExportAsync(string exportId, string tenantId, string? userId, string[] sections)
    {
        using var alive = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(exportId, alive.Token);
        try
        {
            await using var file = new FileStream(Path.Combine(Path.GetTempPath(), $"conversations-{exportId}-{Guid.NewGuid():n}.zip"), FileMode.CreateNew,
                FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
                await WriteEntriesAsync(zip, exportId, tenantId, userId, sections);
            file.Position = 0;
            var part = new byte[options.Value.ArchivePartBytes];
            for (var index = 0; ; index++)
            {
                var length = await file.ReadAtLeastAsync(part, part.Length, throwOnEndOfStream: false);
                if (length == 0 && index > 0) break;
                if (!await store.StoreArchivePartAsync(tenantId, exportId, index, part.AsMemory(0, length)))
                {
                    LogExportDropped(logger, exportId); // interrupted or deleted meanwhile: it stays so
                    return;
                }
                if (length < part.Length) break;
            }
            if (!await store.CompleteExportAsync(tenantId, exportId, file.Length, null)) LogExportDropped(logger, exportId);
        }
        catch (Exception e)
        {
            LogExportFailed(logger, exportId, e);
            try { await store.CompleteExportAsync(tenantId, exportId, null, "The export failed; restart it or start a new one."); }
            catch (Exception inner) { LogExportFailed(logger, exportId, inner); }
        }
        finally
        {
            await alive.CancelAsync();
            await heartbeat;
        }
    }

    private async Task WriteEntriesAsync(ZipArchive zip, string exportId, string tenantId, string? userId, string[] sections)
    {
        var done = 0;
        var counts = new Dictionary<string, int>();
        var userJobs = userId is null ? null : await UserJobIdsAsync(tenantId, userId, CancellationToken.None);
        foreach (var section in sections)
        {
            counts[section] = await WriteLinesAsync(zip, $"{section}.jsonl", store.ReadSectionAsync(section, tenantId, userId, userJobs));
            await store.ProgressAsync(exportId, ++done);
        }
        if (userId is null)
        {
            var settings = new
            {
                tenant = await grains.GetGrain<ITenantGrain>(tenantId).GetSettingsAsync(),
                moderation = await grains.GetGrain<ITenantModerationGrain>(tenantId).GetSettingsAsync(),
                acl = await grains.GetGrain<ITenantAclGrain>(tenantId).GetAsync(),
                routing = await RoutingWithoutKeysAsync(tenantId),
            };
            await WriteAsync(zip, "settings.json", JsonSerializer.Serialize(settings, Json));
            await store.ProgressAsync(exportId, ++done);
            counts["chunks"] = await WriteLinesAsync(zip, "chunks.jsonl", store.ReadChunksAsync(tenantId));
        }
        else
        {
            var memory = await grains.GetGrain<IUserGrain>(GrainKeys.Scoped(tenantId, userId)).GetMemoryAsync();
            await WriteAsync(zip, "memory.json", JsonSerializer.Serialize(memory, Json));
            counts["memory"] = memory.Count;
        }
        await store.ProgressAsync(exportId, ++done);
        await WriteAsync(zip, "manifest.json", JsonSerializer.Serialize(new { exportId, tenantId, userId, createdAt = DateTimeOffset.UtcNow, rows = counts }, Json));
    }

    // While this host runs the export, its row says so; a row whose heartbeat stops reads as interrupted.
    private async Task HeartbeatAsync(string exportId, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(DataRightsStore.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await store.HeartbeatAsync(exportId, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogExportFailed(logger, exportId, e); // one beat lost: the export goes on, and the next beat says it is alive
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The tenant's models and policy; a model's provider key is the one thing an export never carries.
    private async Task<RoutingConfig> RoutingWithoutKeysAsync(string tenantId)
    {
        var config = await grains.GetGrain<IRoutingConfigGrain>(tenantId).GetAsync();
        return config with { Models = [.. config.Models.Select(m => m with { ApiKey = m.ApiKey is null ? null : "(hidden)" })] };
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static async Task WriteAsync(ZipArchive zip, string name, string text)
    {
        await using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await entry.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    // One JSON line a row, lines apart by '\n' (none after the last); returns the rows written.
    private static async Task<int> WriteLinesAsync(ZipArchive zip, string name, IAsyncEnumerable<string> lines)
    {
        await using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await using var writer = new StreamWriter(entry, new UTF8Encoding(false), 64 * 1024);
        var count = 0;
        await foreach (var line in lines)
        {
            if (count++ > 0) await writer.WriteAsync('\n');
            await writer.WriteAsync(line);
        }
        return count;
    }

    private static AuditWho Who(AuditActor a) => new(a.KeyId, a.UserId, a.ClientAddress);

    private static DataExportInfo ToInfo(ExportRecord r) =>
        new(r.ExportId, r.TenantId, r.UserId, r.Status, r.StepsDone, r.StepsTotal, r.Error, r.CreatedAt, r.CompletedAt, r.ArchiveBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Export {ExportId} failed")]
    private static partial void LogExportFailed(ILogger logger, string exportId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} was built, but its row no longer waits for it (interrupted, restarted or deleted meanwhile); the archive was dropped")]
    private static partial void LogExportDropped(ILogger logger, string exportId);
}

/// <summary>The default <see cref="ITenantDataErasure"/>: there is no per-tenant data key to destroy yet.</summary>
internal sealed class NoTenantDataKeys : ITenantDataErasure
{
    /// <inheritdoc />
    public Task EraseTenantKeysAsync(string tenantId, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc />
    public Task ForgetTenantKeysAsync(string tenantId, CancellationToken ct) => Task.CompletedTask;
}
