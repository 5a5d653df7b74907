using Conversations.Contracts.Routing;
using Conversations.Grains.Health;

namespace Conversations.Grains.ReadServices;

/// <summary>Reads, for each model of a tenant's catalog, the tenant's credential circuit and the endpoint's shared one.</summary>
internal sealed class ModelHealthReport(IGrainFactory grains) : IModelHealthReport
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<TenantModelHealth>> ForTenantAsync(string tenantId)
    {
        var config = await grains.GetGrain<IRoutingConfigGrain>(tenantId).GetAsync();
        return await Task.WhenAll(config.Models.Select(async m =>
        {
            var (credentialKey, sharedKey) = (HealthKeys.ForCredential(tenantId, m), HealthKeys.For(m));
            var health = new EndpointHealth(credentialKey, await grains.GetGrain<IModelHealthGrain>(credentialKey).GetAsync(),
                sharedKey, await grains.GetGrain<IModelHealthGrain>(sharedKey).GetAsync());
            return new TenantModelHealth(m.Id, health.Circuit, health.Credential, health.Shared);
        }));
    }
}
