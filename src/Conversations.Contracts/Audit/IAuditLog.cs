using System.Text.Json.Nodes;

namespace Conversations.Contracts.Audit;

/// <summary>Who did something, from where: the API key (public id), its user and the client's address.</summary>
/// <param name="KeyId">The key's public id; null for the platform itself.</param>
/// <param name="UserId">The key's user; null for operator keys.</param>
/// <param name="ClientAddress">The client's address (the forwarded one only from a trusted proxy).</param>
public sealed record AuditActor(string? KeyId, string? UserId, string? ClientAddress)
{
    /// <summary>The platform acting on its own (start-up, background work).</summary>
    public static readonly AuditActor Platform = new(null, null, null);
}

/// <summary>One entry of the append-only audit log. Before and after never hold secrets.</summary>
public sealed record AuditEntry(
    long Id, string? TenantId, DateTimeOffset At, string? ActorKeyId, string? ActorUserId, string? ClientAddress,
    string Action, string Target, JsonNode? Before, JsonNode? After);

/// <summary>What to read from the audit log: one tenant (or the platform's own entries when null), newest first.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Action">Only this action, or every action starting with it followed by a dot (<c>key</c> matches <c>key.issue</c>).</param>
/// <param name="ActorKeyId">Only entries of this key.</param>
/// <param name="Since">Only entries at or after this time.</param>
/// <param name="Until">Only entries before this time.</param>
/// <param name="BeforeId">Paging: only entries older than this id.</param>
/// <param name="Limit">Page size.</param>
public sealed record AuditQuery(string? TenantId, string? Action, string? ActorKeyId, DateTimeOffset? Since, DateTimeOffset? Until, long? BeforeId, int Limit);

/// <summary>The audit log: append an entry, read a tenant's entries. A host service over the <c>audit_log</c> table.</summary>
public interface IAuditLog
{
    /// <summary>Appends one entry (for changes whose store cannot write it in its own transaction).</summary>
    Task AppendAsync(string? tenantId, AuditActor actor, string action, string target, JsonNode? before, JsonNode? after, CancellationToken ct);

    /// <summary>One page of entries, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct);

    /// <summary>Entries per action in a time range (the platform's own when the tenant is null), with moderation blocks per phase.</summary>
    Task<IReadOnlyDictionary<string, long>> CountAsync(string? tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct);
}
