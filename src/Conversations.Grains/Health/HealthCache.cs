using System.Collections.Concurrent;
using Conversations.Contracts.Routing;
using Conversations.Grains.Routing;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Health;

/// <summary>
/// Each silo's recent view of endpoint health. Served stale while a refresh runs in the background (the decision
/// path never waits for it except the first time), and updated at once by the reports this silo sends.
/// </summary>
internal sealed class HealthCache(IGrainFactory grains, IOptions<RoutingOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The health of the endpoint behind <paramref name="healthKey"/>, at most a cache lifetime old.</summary>
    public async ValueTask<ModelHealthView> GetAsync(string healthKey)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(healthKey, out var entry))
        {
            if (now - entry.View.ObservedAt >= options.Value.HealthCacheTtl && entry.TryStartRefresh())
                _ = RefreshAsync(healthKey, entry);
            return entry.View;
        }
        var view = await grains.GetGrain<IModelHealthGrain>(healthKey).GetAsync();
        Update(healthKey, view);
        return view;
    }

    /// <summary>Both circuits <paramref name="tenantId"/>'s calls to <paramref name="model"/> depend on: its credential's and the endpoint's shared one.</summary>
    public ValueTask<EndpointHealth> GetAsync(string tenantId, ModelRegistration model) =>
        EndpointHealth.ReadAsync(tenantId, model, GetAsync, options.Value.BreakDuration);

    /// <summary>
    /// Asks for a probe of every half-open circuit behind <paramref name="health"/>; true when the call may go ahead
    /// (each half-open circuit handed its probe to this caller).
    /// </summary>
    public async Task<bool> TryAcquireAsync(EndpointHealth health)
    {
        foreach (var key in health.HalfOpenKeysAt(time.GetUtcNow()))
        {
            if (!await grains.GetGrain<IModelHealthGrain>(key).TryAcquireAsync()) return false;
        }
        return true;
    }

    /// <summary>
    /// Reports how <paramref name="tenantId"/>'s calls to <paramref name="model"/> went, to both circuits. Every outcome
    /// counts against the tenant's credential. The shared circuit gets them marked with an opaque id of the tenant (so
    /// it can tell tenants apart: a tenant may register the endpoint with any number of keys, and must not be able to
    /// open it for everyone alone) and counts only successes and the endpoint's own failures (transport, 5xx, timeouts,
    /// stalls); a failure of the caller's credential only hands back a probe that call held.
    /// </summary>
    public async Task ReportAsync(string tenantId, ModelRegistration model, IReadOnlyList<HealthOutcome> outcomes)
    {
        var credentialKey = HealthKeys.ForCredential(tenantId, model);
        var caller = HealthKeys.CallerId(tenantId);
        Update(credentialKey, await grains.GetGrain<IModelHealthGrain>(credentialKey).ReportAsync(outcomes));
        var sharedKey = HealthKeys.For(model);
        Update(sharedKey, await grains.GetGrain<IModelHealthGrain>(sharedKey).ReportAsync(outcomes.Select(o => o with { Credential = caller }).ToList()));
    }

    /// <summary>Takes a fresher view (from a report's answer).</summary>
    public void Update(string healthKey, ModelHealthView view) =>
        _entries.AddOrUpdate(healthKey, _ => new Entry(view), (_, old) => old.View.ObservedAt > view.ObservedAt ? old : new Entry(view));

    private async Task RefreshAsync(string healthKey, Entry entry)
    {
        try
        {
            Update(healthKey, await grains.GetGrain<IModelHealthGrain>(healthKey).GetAsync());
        }
        catch (Exception)
        {
            // Keep serving the last view; the next request past the lifetime tries again.
        }
        finally
        {
            entry.EndRefresh();
        }
    }

    private sealed class Entry(ModelHealthView view)
    {
        private int _refreshing;

        public ModelHealthView View { get; } = view;

        public bool TryStartRefresh() => Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0;

        public void EndRefresh() => Volatile.Write(ref _refreshing, 0);
    }
}
