namespace Conversations.Contracts.Routing;

/// <summary>
/// One registered model's health as its tenant may see it: <see cref="Circuit"/> is what turns obey ("open" when either
/// circuit is), <see cref="Credential"/> counts only the tenant's own calls, and <see cref="Shared"/> is the endpoint's
/// shared circuit, whose counts include other tenants (show only its state).
/// </summary>
public sealed record TenantModelHealth(string ModelId, string Circuit, ModelHealthView Credential, ModelHealthView Shared);

/// <summary>The health of a tenant's registered models, from their health grains.</summary>
public interface IModelHealthReport
{
    /// <summary>One entry per model of the tenant's catalog.</summary>
    Task<IReadOnlyList<TenantModelHealth>> ForTenantAsync(string tenantId);
}
