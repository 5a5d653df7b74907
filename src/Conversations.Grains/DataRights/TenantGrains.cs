using Conversations.Contracts;
using Microsoft.Extensions.Logging;
using Orleans.Core.Internal;

namespace Conversations.Grains.DataRights;

/// <summary>
/// The active grains of a deleted tenant, on every silo. They hold the tenant's settings, its users' memory and its
/// conversations' windows in memory: left active, a tenant created again under the same id would be served the
/// deleted one's state until they aged out. Deactivated once the rows are gone, they write nothing back (the
/// erased-tenant guards skip their writes) and the next call activates them from the new tenant's empty state.
/// </summary>
internal static partial class TenantGrains
{
    /// <summary>
    /// Asks every active grain whose key is the tenant's (its id, or its id and '/') to deactivate; returns how many.
    /// Not cancelled with the request: the tenant is gone whether or not its caller still listens.
    /// </summary>
    public static async Task<int> DeactivateAsync(IGrainFactory grains, string tenantId, ILogger logger)
    {
        var prefix = GrainKeys.Scoped(tenantId, "");
        GrainId[] ids;
        try
        {
            var active = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, null, CancellationToken.None);
            ids = [.. active.Select(a => a.GrainId).Distinct().Where(id => id.Key.ToString() is var key
                && (key == tenantId || key.StartsWith(prefix, StringComparison.Ordinal)))];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The rows are gone already; the grains then deactivate by age, and write nothing back meanwhile.
            LogListFailed(logger, e);
            return 0;
        }
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
        {
            try { await grains.GetGrain(id).AsReference<IGrainManagementExtension>().DeactivateOnIdle(CancellationToken.None); }
            catch (Exception e) when (e is not OperationCanceledException) { LogDeactivateFailed(logger, e, id.Type.ToString()); }
        });
        return ids.Length;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A deleted tenant's active grains could not be listed; they deactivate by age")]
    private static partial void LogListFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A deleted tenant's {GrainType} grain did not deactivate; it deactivates by age")]
    private static partial void LogDeactivateFailed(ILogger logger, Exception e, string grainType);
}
