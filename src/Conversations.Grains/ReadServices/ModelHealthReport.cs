using Conversations.Contracts.Routing;
using Conversations.Grains.Health;
using Conversations.Routing.Health;

namespace Conversations.Grains.ReadServices;

/// <summary>Reads, for each model of a tenant's catalog, the tenant's credential circuit and the endpoint's shared one.</summary>
internal sealed class ModelHealthReport(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<Routing.RoutingOptions> options) : IModelHealthReport
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<TenantModelHealth>> ForTenantAsync(string tenantId)
    {
        var config = await grains.GetGrain<IRoutingConfigGrain>(tenantId).GetAsync();
        return await Task.WhenAll(config.Models.Select(async m =>
        {
            var health = await EndpointHealth.ReadAsync(tenantId, m, key => new(grains.GetGrain<IModelHealthGrain>(key).GetAsync()), options.Value.BreakDuration);
            // The shared circuit as it bears on this tenant: other tenants' failures at an endpoint (which any admin can
            // register, a rival's private one too) are not shown to a tenant whose own recent call there has not failed.
            var shared = health.SharedApplies ? health.Shared : health.Shared with { Circuit = CircuitNames.Of(CircuitState.Closed), BreakUntil = null };
            return new TenantModelHealth(m.Id, health.Circuit, health.Credential, shared);
        }));
    }
}
