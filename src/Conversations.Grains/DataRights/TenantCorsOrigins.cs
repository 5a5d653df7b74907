using Conversations.Contracts.Audit;
using Conversations.Contracts.Tenancy;
using Conversations.Storage.Audit;
using Conversations.Storage.Tenancy;

namespace Conversations.Grains.DataRights;

/// <summary>Tenants' CORS origins over their table.</summary>
internal sealed class TenantCorsOrigins(CorsOriginStore store) : ITenantCorsOrigins
{
    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetAsync(string tenantId, CancellationToken ct) => store.GetAsync(tenantId, ct);

    /// <inheritdoc />
    public Task SetAsync(string tenantId, IReadOnlyList<string> origins, AuditActor actor, CancellationToken ct) =>
        store.SetAsync(tenantId, origins, new AuditWho(actor.KeyId, actor.UserId, actor.ClientAddress), ct);

    /// <inheritdoc />
    public Task<bool> IsAllowedAsync(string origin, string? tenantId, CancellationToken ct) => store.IsAllowedAsync(origin, tenantId, ct);
}
