using Conversations.Contracts.Audit;

namespace Conversations.Contracts.Tenancy;

/// <summary>The web origins a tenant's browser clients may call the API from (CORS).</summary>
public interface ITenantCorsOrigins
{
    /// <summary>The tenant's origins.</summary>
    Task<IReadOnlyList<string>> GetAsync(string tenantId, CancellationToken ct);

    /// <summary>Replaces the tenant's origins (normalized <c>scheme://host[:port]</c>).</summary>
    Task SetAsync(string tenantId, IReadOnlyList<string> origins, AuditActor actor, CancellationToken ct);

    /// <summary>Whether the tenant (any tenant when null) allows the origin.</summary>
    Task<bool> IsAllowedAsync(string origin, string? tenantId, CancellationToken ct);
}
