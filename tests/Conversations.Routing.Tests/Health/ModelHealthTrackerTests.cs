namespace Conversations.Routing.Tests.Health;

public sealed class ModelHealthTrackerTests
{
    private static readonly DateTimeOffset T0 = TestHealth.T0;
    private static readonly ModelHealthOptions Options = TestHealth.Options with { ProbeTimeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public void Opens_after_the_configured_consecutive_failures_and_not_before()
    {
        // Proves N-1 failures keep the circuit closed and the Nth opens it, refusing calls.
        var tracker = new ModelHealthTracker(Options);
        for (var i = 0; i < Options.ConsecutiveFailureThreshold - 1; i++)
        {
            tracker.RecordFailure(FailureKind.ServerError, T0.AddSeconds(i));
            Assert.True(tracker.IsCallPermitted(T0.AddSeconds(i)));
        }

        tracker.RecordFailure(FailureKind.ServerError, T0.AddSeconds(5));
        Assert.Equal(CircuitState.Open, tracker.StateAt(T0.AddSeconds(5)));
        Assert.False(tracker.IsCallPermitted(T0.AddSeconds(6)));
    }

    [Fact]
    public void Opens_on_failure_ratio_once_minimum_throughput_is_reached()
    {
        // Proves alternating failures (never 3 in a row) open the circuit by ratio only after 10 calls.
        var tracker = new ModelHealthTracker(Options);
        for (var i = 0; i < 9; i++)
        {
            var now = T0.AddMilliseconds(i * 100);
            if (i % 2 == 0)
            {
                tracker.RecordFailure(FailureKind.Connection, now);
            }
            else
            {
                tracker.RecordSuccess(TimeSpan.FromMilliseconds(200), now);
            }
        }

        Assert.Equal(CircuitState.Closed, tracker.StateAt(T0.AddSeconds(1))); // 5 of 9 failed, below minimum throughput.
        tracker.RecordSuccess(TimeSpan.FromMilliseconds(200), T0.AddSeconds(1)); // 5 of 10: ratio 0.5 reached, but a success never trips.
        Assert.Equal(CircuitState.Closed, tracker.StateAt(T0.AddSeconds(1)));
        tracker.RecordFailure(FailureKind.ServerError, T0.AddSeconds(1.1)); // 6 of 11.
        Assert.Equal(CircuitState.Open, tracker.StateAt(T0.AddSeconds(1.1)));
    }

    [Fact]
    public void Old_failures_fall_out_of_the_window()
    {
        // Proves failures older than the sampling window no longer count towards the ratio.
        var tracker = new ModelHealthTracker(Options with { ConsecutiveFailureThreshold = 100 });
        for (var i = 0; i < 4; i++)
        {
            tracker.RecordFailure(FailureKind.ServerError, T0);
            tracker.RecordSuccess(TimeSpan.FromMilliseconds(100), T0);
        }

        tracker.RecordSuccess(TimeSpan.FromMilliseconds(100), T0); // 4 of 9 failed: below the minimum throughput.

        // One more failure inside the window makes 5 of 10 and trips; after the window it is 1 of 1.
        var inside = new ModelHealthTracker(tracker.Options, tracker.ToState());
        inside.RecordFailure(FailureKind.ServerError, T0.AddSeconds(1));
        Assert.Equal(CircuitState.Open, inside.StateAt(T0.AddSeconds(1)));

        var later = T0 + Options.SamplingDuration + TimeSpan.FromSeconds(1);
        Assert.Equal(0, tracker.Snapshot(later).Calls);
        tracker.RecordFailure(FailureKind.ServerError, later);
        Assert.Equal(CircuitState.Closed, tracker.StateAt(later));
    }

    [Fact]
    public void Half_opens_after_the_break_and_allows_exactly_one_probe()
    {
        // Proves the break is honoured, then one probe is handed out and concurrent callers are refused.
        var tracker = Tripped(out var openedAt);
        Assert.False(tracker.IsCallPermitted(openedAt + Options.BreakDuration - TimeSpan.FromMilliseconds(1)));
        var afterBreak = openedAt + Options.BreakDuration;
        Assert.Equal(CircuitState.HalfOpen, tracker.StateAt(afterBreak));
        Assert.True(tracker.IsCallPermitted(afterBreak));
        Assert.False(tracker.IsCallPermitted(afterBreak));
        Assert.False(tracker.IsCallPermitted(afterBreak.AddSeconds(1)));
    }

    [Fact]
    public void Successful_probe_closes_and_failed_probe_reopens()
    {
        // Proves the half-open outcome decides: success closes with a fresh window, failure opens for another break.
        var closing = Tripped(out var openedAt);
        var probeAt = openedAt + Options.BreakDuration;
        Assert.True(closing.IsCallPermitted(probeAt));
        closing.RecordSuccess(TimeSpan.FromMilliseconds(300), probeAt.AddSeconds(1));
        Assert.Equal(CircuitState.Closed, closing.StateAt(probeAt.AddSeconds(1)));
        Assert.True(closing.IsCallPermitted(probeAt.AddSeconds(1)));
        Assert.Equal(0, closing.Snapshot(probeAt.AddSeconds(1)).Failures);

        var reopening = Tripped(out openedAt);
        probeAt = openedAt + Options.BreakDuration;
        Assert.True(reopening.IsCallPermitted(probeAt));
        reopening.RecordFailure(FailureKind.FirstTokenTimeout, probeAt.AddSeconds(1));
        Assert.Equal(CircuitState.Open, reopening.StateAt(probeAt.AddSeconds(1)));
        Assert.False(reopening.IsCallPermitted(probeAt.AddSeconds(2)));
        Assert.Equal(2, reopening.Snapshot(probeAt.AddSeconds(2)).TimesOpened);
        Assert.True(reopening.IsCallPermitted(probeAt.AddSeconds(1) + Options.BreakDuration));
    }

    [Fact]
    public void A_lost_probe_frees_the_slot_after_the_probe_timeout()
    {
        // Proves a probe whose turn crashed does not keep the circuit half-open forever.
        var tracker = Tripped(out var openedAt);
        var probeAt = openedAt + Options.BreakDuration;
        Assert.True(tracker.IsCallPermitted(probeAt));
        Assert.False(tracker.IsCallPermitted(probeAt + Options.ProbeTimeout - TimeSpan.FromSeconds(1)));
        Assert.True(tracker.IsCallPermitted(probeAt + Options.ProbeTimeout));
    }

    [Fact]
    public void State_round_trips_through_the_persisted_record()
    {
        // Proves a grain can persist the state and resume with the same breaker and window.
        var tracker = Tripped(out var openedAt);
        var resumed = new ModelHealthTracker(Options, tracker.ToState());
        Assert.False(resumed.IsCallPermitted(openedAt.AddSeconds(1)));
        Assert.Equal(tracker.Snapshot(openedAt.AddSeconds(1)), resumed.Snapshot(openedAt.AddSeconds(1)));
        Assert.True(resumed.IsCallPermitted(openedAt + Options.BreakDuration));
    }

    [Fact]
    public void Snapshot_reports_error_rate_latency_percentiles_timeouts_and_stalls()
    {
        // Proves the snapshot's figures follow the recorded outcomes.
        var tracker = new ModelHealthTracker(Options with { ConsecutiveFailureThreshold = 100, MinimumThroughput = 1000 });
        for (var i = 1; i <= 100; i++)
        {
            tracker.RecordSuccess(TimeSpan.FromMilliseconds(i * 10), T0.AddMilliseconds(i));
        }

        tracker.RecordFailure(FailureKind.Stall, T0.AddSeconds(1));
        tracker.RecordFailure(FailureKind.FirstTokenTimeout, T0.AddSeconds(1));
        var snapshot = tracker.Snapshot(T0.AddSeconds(2));
        Assert.Equal(102, snapshot.Calls);
        Assert.Equal(2 / 102.0, snapshot.ErrorRate, 6);
        Assert.Equal(500, snapshot.FirstTokenP50Ms);
        Assert.Equal(950, snapshot.FirstTokenP95Ms);
        Assert.Equal(1, snapshot.Stalls);
        Assert.Equal(1, snapshot.Timeouts);
        Assert.Equal(FailureKind.FirstTokenTimeout, snapshot.LastFailureKind);
    }

    [Fact]
    public void Latency_samples_are_bounded()
    {
        // Proves the persisted state cannot grow past the configured sample cap.
        var tracker = new ModelHealthTracker(Options with { MaxLatencySamples = 50 });
        for (var i = 0; i < 500; i++)
        {
            tracker.RecordSuccess(TimeSpan.FromMilliseconds(100), T0.AddMilliseconds(i));
        }

        Assert.Equal(50, tracker.ToState().FirstTokenLatencies.Count);
    }

    private static ModelHealthTracker Tripped(out DateTimeOffset openedAt)
    {
        var tracker = new ModelHealthTracker(Options);
        openedAt = T0.AddSeconds(3);
        for (var i = 0; i < Options.ConsecutiveFailureThreshold; i++)
        {
            tracker.RecordFailure(FailureKind.ServerError, openedAt);
        }

        Assert.Equal(CircuitState.Open, tracker.StateAt(openedAt));
        return tracker;
    }
}
