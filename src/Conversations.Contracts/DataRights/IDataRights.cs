using Conversations.Contracts.Audit;

namespace Conversations.Contracts.DataRights;

/// <summary>An export's progress; the archive is ready when <see cref="Status"/> is <c>succeeded</c>.</summary>
public sealed record DataExportInfo(
    string ExportId, string TenantId, string? UserId, string Status, int StepsDone, int StepsTotal, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long? ArchiveBytes);

/// <summary>
/// Called when a tenant is deleted: its data key is destroyed before its rows go (anything of the tenant left in the
/// live database can no longer be read, even should the deletion of the rows fail), and the key's record is removed
/// after them (the id may then serve a new tenant). The default does nothing.
/// </summary>
public interface ITenantDataErasure
{
    /// <summary>Destroys what only the tenant's deletion may destroy (its data key); its record stays, marked destroyed.</summary>
    Task EraseTenantKeysAsync(string tenantId, CancellationToken ct);

    /// <summary>Removes the destroyed key's record, once the tenant's rows are gone.</summary>
    Task ForgetTenantKeysAsync(string tenantId, CancellationToken ct);
}

/// <summary>A tenant's and a user's data rights: export everything as an archive, delete a user or a whole tenant.</summary>
public interface IDataRights
{
    /// <summary>Deletes a user and everything of theirs (usage stays as anonymous aggregates); false when there is no such user.</summary>
    Task<bool> DeleteUserAsync(string tenantId, string userId, AuditActor actor, CancellationToken ct);

    /// <summary>Deletes a tenant: every row, chunk partition, grain state, key and audit entry; false when there is no such tenant.</summary>
    Task<bool> DeleteTenantAsync(string tenantId, AuditActor actor, CancellationToken ct);

    /// <summary>Starts an export of the tenant, or of one of its users; null when the user does not exist.</summary>
    Task<DataExportInfo?> StartExportAsync(string tenantId, string? userId, AuditActor actor, CancellationToken ct);

    /// <summary>
    /// Runs an interrupted (its host stopped) or failed export again; null when the tenant has no such export, or it is
    /// running or done.
    /// </summary>
    Task<DataExportInfo?> RestartExportAsync(string tenantId, string exportId, AuditActor actor, CancellationToken ct);

    /// <summary>The tenant's exports kept (the last seven days'), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<DataExportInfo>> ListExportsAsync(string tenantId, int limit, CancellationToken ct);

    /// <summary>The export's progress (<c>interrupted</c> when its host stopped while it ran), or null when the tenant has no such export.</summary>
    Task<DataExportInfo?> GetExportAsync(string tenantId, string exportId, CancellationToken ct);

    /// <summary>
    /// The finished archive (a zip) as a seekable stream that reads it a part at a time, or null when it is not there
    /// (yet). The caller disposes it.
    /// </summary>
    Task<Stream?> OpenArchiveAsync(string tenantId, string exportId, CancellationToken ct);
}
