using System.Collections.Concurrent;
using Conversations.Contracts.Routing;
using Conversations.Routing.Catalog;
using Conversations.Routing.Router;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Routing;

/// <summary>A tenant's routing set-up compiled for deciding: the settings, the catalog, the router and the registrations by id.</summary>
internal sealed record TenantRouting(RoutingConfig Config, RoutingPolicySettings Policy, ModelCatalog Catalog, ModelRouter Router)
{
    /// <summary>The registration of a catalog model, or null (for "extractive" and unknown ids).</summary>
    public ModelRegistration? Find(string modelId) =>
        Config.Models.FirstOrDefault(m => string.Equals(m.Id, modelId, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Each silo's copy of tenants' routing configs, refreshed after <see cref="RoutingOptions.ConfigCacheTtl"/>, so a
/// turn's decision costs no remote call. A tenant without a policy maps to null (the platform model serves it).
/// </summary>
internal sealed partial class RoutingConfigCache(IGrainFactory grains, IOptions<RoutingOptions> options, TimeProvider time, ILogger<RoutingConfigCache> logger)
{
    private readonly ConcurrentDictionary<string, (TenantRouting? Routing, long Version, DateTimeOffset FirstEdit, DateTimeOffset FetchedAt)> _entries =
        new(StringComparer.Ordinal);

    /// <summary>The tenant's compiled routing, or null when it has no policy.</summary>
    public async ValueTask<TenantRouting?> GetAsync(string tenantId)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(tenantId, out var hit) && now - hit.FetchedAt < options.Value.ConfigCacheTtl) return hit.Routing;
        var config = await grains.GetGrain<IRoutingConfigGrain>(tenantId).GetAsync();
        // The version alone repeats for a tenant created again under a deleted one's id; the first edit's time does not.
        var routing = hit.Version == config.Version && hit.FirstEdit == config.FirstEdit && hit.FetchedAt != default ? hit.Routing : Compile(tenantId, config);
        _entries[tenantId] = (routing, config.Version, config.FirstEdit, now);
        return routing;
    }

    private TenantRouting? Compile(string tenantId, RoutingConfig config)
    {
        if (config.Policy is null) return null;
        try
        {
            var catalog = ConfigMapping.ToCatalog(config.Models);
            return new TenantRouting(config, config.Policy, catalog, new ModelRouter(catalog, ConfigMapping.ToPolicy(config.Policy)));
        }
        catch (ArgumentException e)
        {
            // The grain validates every edit, so this means stored data from an older rule set: serve with the platform model.
            LogInvalid(logger, tenantId, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Routing config of {TenantId} is invalid, using the platform model: {Problem}")]
    private static partial void LogInvalid(ILogger logger, string tenantId, string problem);
}
