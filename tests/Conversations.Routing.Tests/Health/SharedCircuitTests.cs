namespace Conversations.Routing.Tests.Health;

/// <summary>The circuit all tenants share opens only when several distinct credentials fail.</summary>
public sealed class SharedCircuitTests
{
    private static readonly DateTimeOffset T0 = TestHealth.T0;
    private static readonly ModelHealthOptions Shared = TestHealth.Options with { MinFailingCredentials = 2 };

    [Fact]
    public void One_credential_never_opens_it_however_often_it_fails()
    {
        // Proves a single caller's failures (far past both the consecutive and the ratio thresholds) leave it closed.
        var tracker = new ModelHealthTracker(Shared);
        for (var i = 0; i < 50; i++) tracker.RecordFailure(FailureKind.ServerError, T0.AddMilliseconds(i * 100), "tenant-a");
        var now = T0.AddSeconds(5);
        Assert.Equal(CircuitState.Closed, tracker.StateAt(now));
        Assert.True(tracker.IsCallPermitted(now));
        Assert.Equal(1, tracker.Snapshot(now).FailingCredentials);
    }

    [Fact]
    public void A_second_failing_credential_opens_it()
    {
        // Proves the rule is "at least two credentials": the first failure of another caller trips it at once.
        var tracker = new ModelHealthTracker(Shared);
        for (var i = 0; i < 3; i++) tracker.RecordFailure(FailureKind.Connection, T0.AddSeconds(i), "tenant-a");
        Assert.Equal(CircuitState.Closed, tracker.StateAt(T0.AddSeconds(3)));
        tracker.RecordFailure(FailureKind.FirstTokenTimeout, T0.AddSeconds(4), "tenant-b");
        Assert.Equal(CircuitState.Open, tracker.StateAt(T0.AddSeconds(4)));
        Assert.Equal(2, tracker.Snapshot(T0.AddSeconds(4)).FailingCredentials);
    }

    [Fact]
    public void Credentials_whose_failures_left_the_window_do_not_count()
    {
        // Proves an old failure of one caller and a new failure of another (30 s apart) are not two failing credentials.
        var tracker = new ModelHealthTracker(Shared);
        for (var i = 0; i < 3; i++) tracker.RecordFailure(FailureKind.ServerError, T0, "tenant-a");
        var later = T0 + Shared.SamplingDuration + TimeSpan.FromSeconds(1);
        tracker.RecordFailure(FailureKind.ServerError, later, "tenant-b");
        Assert.Equal(CircuitState.Closed, tracker.StateAt(later));
        Assert.Equal(1, tracker.Snapshot(later).FailingCredentials);
    }

    [Fact]
    public void Failing_credentials_survive_a_restart_and_stay_bounded()
    {
        // Proves the persisted state carries the callers (so a restart cannot reset the count) and never grows past the bound.
        var tracker = new ModelHealthTracker(Shared with { MaxTrackedCredentials = 4 });
        for (var i = 0; i < 3; i++) tracker.RecordSuccess(TimeSpan.FromMilliseconds(10), T0);
        tracker.RecordFailure(FailureKind.ServerError, T0, "tenant-a");
        var resumed = new ModelHealthTracker(tracker.Options, tracker.ToState());
        resumed.RecordFailure(FailureKind.ServerError, T0.AddSeconds(1), "tenant-b");
        resumed.RecordFailure(FailureKind.ServerError, T0.AddSeconds(2), "tenant-b");
        Assert.Equal(CircuitState.Open, resumed.StateAt(T0.AddSeconds(2)));

        var many = new ModelHealthTracker(Shared with { MaxTrackedCredentials = 4, ConsecutiveFailureThreshold = 1000, MinimumThroughput = 1000 });
        for (var i = 0; i < 20; i++) many.RecordFailure(FailureKind.ServerError, T0.AddMilliseconds(i), $"tenant-{i}");
        Assert.Equal(4, many.ToState().FailingCredentials.Count);
    }

    [Fact]
    public void One_credentials_failed_probe_does_not_reopen_it_for_all()
    {
        // Proves a caller who can make the endpoint fail cannot keep it open alone: the half-open probe it failed goes to
        // the next caller, whose success closes the circuit; failed probes of two credentials reopen it.
        var tracker = new ModelHealthTracker(Shared);
        foreach (var caller in new[] { "tenant-a", "tenant-b", "tenant-a" }) tracker.RecordFailure(FailureKind.ServerError, T0, caller);
        Assert.Equal(CircuitState.Open, tracker.StateAt(T0));
        var probeAt = T0 + Shared.BreakDuration;
        Assert.True(tracker.IsCallPermitted(probeAt));
        tracker.RecordFailure(FailureKind.ServerError, probeAt.AddSeconds(1), "tenant-a");
        Assert.Equal(CircuitState.HalfOpen, tracker.StateAt(probeAt.AddSeconds(1)));
        Assert.True(tracker.IsCallPermitted(probeAt.AddSeconds(1)));
        tracker.RecordSuccess(TimeSpan.FromMilliseconds(10), probeAt.AddSeconds(2));
        Assert.Equal(CircuitState.Closed, tracker.StateAt(probeAt.AddSeconds(2)));

        var down = new ModelHealthTracker(Shared);
        foreach (var caller in new[] { "tenant-a", "tenant-b", "tenant-a" }) down.RecordFailure(FailureKind.ServerError, T0, caller);
        Assert.True(down.IsCallPermitted(probeAt));
        down.RecordFailure(FailureKind.ServerError, probeAt.AddSeconds(1), "tenant-a");
        Assert.True(down.IsCallPermitted(probeAt.AddSeconds(1)));
        down.RecordFailure(FailureKind.ServerError, probeAt.AddSeconds(2), "tenant-b");
        Assert.Equal(CircuitState.Open, down.StateAt(probeAt.AddSeconds(2)));
    }

    [Fact]
    public void A_probe_taken_by_a_call_that_failed_on_its_own_credential_is_handed_back()
    {
        // Proves a caller with a bad key cannot hold the shared circuit half-open by taking its probe and failing with a 401.
        var tracker = new ModelHealthTracker(Shared);
        tracker.RecordFailure(FailureKind.ServerError, T0, "tenant-a");
        tracker.RecordFailure(FailureKind.ServerError, T0, "tenant-b");
        tracker.RecordFailure(FailureKind.ServerError, T0, "tenant-a");
        var probeAt = T0 + Shared.BreakDuration;
        Assert.True(tracker.IsCallPermitted(probeAt));
        Assert.False(tracker.IsCallPermitted(probeAt));
        var failures = tracker.Snapshot(probeAt).Failures;
        tracker.ReleaseProbe(probeAt.AddSeconds(1));
        Assert.Equal(failures, tracker.Snapshot(probeAt.AddSeconds(1)).Failures);
        Assert.Equal(CircuitState.HalfOpen, tracker.StateAt(probeAt.AddSeconds(1)));
        Assert.True(tracker.IsCallPermitted(probeAt.AddSeconds(1)));
    }

    [Fact]
    public void A_single_credential_circuit_keeps_the_plain_rule()
    {
        // Proves the default (one credential) still opens on that credential's own consecutive failures.
        var tracker = new ModelHealthTracker(Shared with { MinFailingCredentials = 1 });
        for (var i = 0; i < 3; i++) tracker.RecordFailure(FailureKind.Unauthorized, T0.AddSeconds(i), "tenant-a");
        Assert.Equal(CircuitState.Open, tracker.StateAt(T0.AddSeconds(2)));
    }
}
