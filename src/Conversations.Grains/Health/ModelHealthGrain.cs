using Conversations.Contracts.Routing;
using Conversations.Grains.Routing;
using Conversations.Grains.Telemetry;
using Conversations.Routing.Health;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Health;

/// <summary>The persisted breaker of one endpoint (windows and samples are bounded by the tracker's options).</summary>
[GenerateSerializer, Alias("model-health-state")]
internal sealed class ModelHealthGrainState
{
    /// <summary>The tracker's state as of the last circuit change.</summary>
    [Id(0)] public ModelHealthState? Tracker { get; set; }
}

/// <summary>
/// Breaker and health figures of one endpoint: the circuit every tenant shares (a <see cref="HealthKeys.PlatformPrefix"/>
/// key, which opens only on failures of <see cref="RoutingOptions.SharedCircuitMinTenants"/> distinct tenants),
/// or one tenant's credential on it (a tenant key). Not reentrant: the tracker is not thread-safe, and each call is a
/// few microseconds of work. Its state is written only when the circuit changes, so an open circuit survives a silo
/// restart while the per-call counts stay off the disk.
/// </summary>
internal sealed class ModelHealthGrain(
    [PersistentState("model-health", "store")] IPersistentState<ModelHealthGrainState> state,
    IOptions<RoutingOptions> options,
    TimeProvider time) : Grain, IModelHealthGrain
{
    private ModelHealthTracker _tracker = null!;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tracker = new ModelHealthTracker(options.Value.HealthOptions(shared: HealthKeys.IsShared(this.GetPrimaryKeyString())), state.State.Tracker);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ModelHealthView> GetAsync() => Task.FromResult(View(time.GetUtcNow()));

    /// <inheritdoc />
    public async Task<bool> TryAcquireAsync()
    {
        var now = time.GetUtcNow();
        var before = _tracker.StateAt(now);
        var permitted = _tracker.IsCallPermitted(now);
        if (before != CircuitState.Closed) await PersistAsync();
        Track(before, _tracker.StateAt(now));
        return permitted;
    }

    /// <inheritdoc />
    public async Task<ModelHealthView> ReportAsync(IReadOnlyList<HealthOutcome> outcomes)
    {
        var now = time.GetUtcNow();
        var shared = HealthKeys.IsShared(this.GetPrimaryKeyString());
        var before = (_tracker.StateAt(now), _tracker.Snapshot(now).TimesOpened);
        foreach (var o in outcomes.OrderBy(o => o.At))
        {
            var at = o.At > now ? now : o.At;
            if (o.FailureKind is null) _tracker.RecordSuccess(TimeSpan.FromMilliseconds(o.FirstTokenMs ?? 0), at);
            // The shared circuit never counts a failure of the caller's own credential; it only frees a probe that call held.
            else if (shared && FailureClassifier.ScopeOf(ParseKind(o.FailureKind)) == FailureScope.Credential) _tracker.ReleaseProbe(at);
            else _tracker.RecordFailure(ParseKind(o.FailureKind), at, o.Credential);
        }
        if ((_tracker.StateAt(now), _tracker.Snapshot(now).TimesOpened) != before) await PersistAsync();
        Track(before.Item1, _tracker.StateAt(now));
        return View(now);
    }

    /// <summary>The tracker's failure kind for a report's failure name.</summary>
    public static FailureKind ParseKind(string kind) => FailureClassifier.ParseWireName(kind);

    // Metrics name the state and whether the circuit is the shared one; never the endpoint or tenant.
    private void Track(CircuitState before, CircuitState after)
    {
        var shared = HealthKeys.IsShared(this.GetPrimaryKeyString());
        PlatformMetrics.TrackCircuit(this.GetPrimaryKeyString(), shared, after == CircuitState.Closed);
        if (before != after)
            PlatformMetrics.CircuitChanges.Add(1, new KeyValuePair<string, object?>("state", CircuitNames.Of(after)),
                new KeyValuePair<string, object?>("scope", shared ? "shared" : "tenant"));
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        PlatformMetrics.TrackCircuit(this.GetPrimaryKeyString(), false, closed: true);
        return Task.CompletedTask;
    }

    private async Task PersistAsync()
    {
        state.State.Tracker = _tracker.ToState();
        await state.WriteStateAsync();
    }

    private ModelHealthView View(DateTimeOffset now)
    {
        var s = _tracker.Snapshot(now);
        return new ModelHealthView(CircuitNames.Of(s.Circuit), s.Calls, s.Failures, s.ErrorRate, s.Timeouts, s.Stalls, s.FirstTokenP50Ms,
            s.FirstTokenP95Ms, s.ConsecutiveFailures, s.BreakUntil, s.TimesOpened, s.LastFailureKind?.ToString(), now) { LastFailureAt = s.LastFailureAt };
    }
}
