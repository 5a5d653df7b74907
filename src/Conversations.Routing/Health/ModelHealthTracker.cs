namespace Conversations.Routing;

/// <summary>
/// Health and circuit breaker of one model endpoint: rolling error rate, time-to-first-token percentiles, stalls,
/// and a breaker that goes closed → open (after <see cref="ModelHealthOptions.ConsecutiveFailureThreshold"/> failures
/// in a row, or a failure ratio at or above <see cref="ModelHealthOptions.FailureRatio"/> once the window holds
/// <see cref="ModelHealthOptions.MinimumThroughput"/> calls) → half-open after the break (one probe at a time) →
/// closed on a success, open again on a failure. A closed circuit opens only once calls of at least
/// <see cref="ModelHealthOptions.MinFailingCredentials"/> distinct credentials failed within the sampling window, so
/// the circuit every tenant shares cannot be opened by one tenant's calls alone.
/// </summary>
/// <remarks>
/// The semantics are those of Polly's circuit breaker (FailureRatio, MinimumThroughput, SamplingDuration,
/// BreakDuration, a single half-open probe), but not its implementation: a Polly pipeline keeps its state in
/// process memory and wraps the call itself, while here the state must live in a grain shared by every tenant and
/// silo, survive a restart, and be fed by calls made elsewhere (the turn streams the answer; the grain only hears
/// "may I?" and the outcome). Polly offers no way to persist or restore a breaker's state, so this is a small
/// explicit state machine over a plain <see cref="ModelHealthState"/>, with time passed in for determinism.
/// Not thread-safe: the owning grain serializes calls.
/// </remarks>
public sealed class ModelHealthTracker
{
    private readonly ModelHealthOptions options;
    private readonly TimeSpan bucketWidth;
    private readonly List<HealthBucket> buckets;
    private readonly List<LatencySample> latencies;
    private readonly List<CredentialFailure> failingCredentials;
    private CircuitState circuit;
    private int consecutiveFailures;
    private DateTimeOffset? breakUntil;
    private DateTimeOffset? probeStartedAt;
    private int timesOpened;
    private FailureKind? lastFailureKind;
    private DateTimeOffset? lastFailureAt;

    /// <summary>A tracker with <paramref name="options"/>, resuming from <paramref name="state"/> when given.</summary>
    public ModelHealthTracker(ModelHealthOptions? options = null, ModelHealthState? state = null)
    {
        this.options = options ?? new ModelHealthOptions();
        this.options.Validate();
        bucketWidth = this.options.SamplingDuration / this.options.BucketCount;
        state ??= new ModelHealthState();
        circuit = state.Circuit;
        consecutiveFailures = state.ConsecutiveFailures;
        breakUntil = state.BreakUntil;
        probeStartedAt = state.ProbeStartedAt;
        timesOpened = state.TimesOpened;
        lastFailureKind = state.LastFailureKind;
        lastFailureAt = state.LastFailureAt;
        buckets = [.. state.Buckets];
        latencies = [.. state.FirstTokenLatencies];
        failingCredentials = [.. state.FailingCredentials];
    }

    /// <summary>The settings in force.</summary>
    public ModelHealthOptions Options => options;

    /// <summary>The breaker state at <paramref name="now"/>, without taking a probe: an open circuit past its break reads half-open.</summary>
    public CircuitState StateAt(DateTimeOffset now) =>
        circuit == CircuitState.Open && breakUntil is { } until && now >= until ? CircuitState.HalfOpen : circuit;

    /// <summary>
    /// Whether a call may go to this endpoint now. Closed: yes. Open: no until the break ends. Half-open: yes for
    /// exactly one caller (the probe) until it reports or <see cref="ModelHealthOptions.ProbeTimeout"/> passes.
    /// A true answer in half-open hands out the probe, so ask only when about to call.
    /// </summary>
    public bool IsCallPermitted(DateTimeOffset now)
    {
        if (circuit == CircuitState.Open && breakUntil is { } until && now >= until)
        {
            circuit = CircuitState.HalfOpen;
            probeStartedAt = null;
        }

        switch (circuit)
        {
            case CircuitState.Closed:
                return true;
            case CircuitState.HalfOpen when probeStartedAt is null || now - probeStartedAt.Value >= options.ProbeTimeout:
                probeStartedAt = now;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A call ended in a way that says nothing about this circuit (the caller's own credential failed): nothing is
    /// counted, but a half-open probe in flight is handed back, so the next caller can probe at once.
    /// </summary>
    public void ReleaseProbe(DateTimeOffset now)
    {
        if (StateAt(now) == CircuitState.HalfOpen)
        {
            probeStartedAt = null;
        }
    }

    /// <summary>A call succeeded with its first token after <paramref name="firstTokenLatency"/>; closes a half-open circuit.</summary>
    public void RecordSuccess(TimeSpan firstTokenLatency, DateTimeOffset now)
    {
        AddToBucket(now, success: true, kind: null);
        latencies.Add(new LatencySample(now, Math.Max(0, firstTokenLatency.TotalMilliseconds)));
        TrimLatencies(now);
        consecutiveFailures = 0;
        if (StateAt(now) == CircuitState.HalfOpen)
        {
            // Like Polly, a success while half-open closes the circuit and starts a fresh window.
            circuit = CircuitState.Closed;
            breakUntil = null;
            probeStartedAt = null;
            buckets.Clear();
        }
    }

    /// <summary>
    /// A call made with <paramref name="credential"/> (an opaque fingerprint; null for an unnamed one) failed with
    /// <paramref name="kind"/>; may open the circuit, and reopens a half-open one.
    /// </summary>
    public void RecordFailure(FailureKind kind, DateTimeOffset now, string? credential = null)
    {
        AddToBucket(now, success: false, kind);
        NoteFailingCredential(credential ?? "", now);
        consecutiveFailures++;
        lastFailureKind = kind;
        lastFailureAt = now;
        switch (StateAt(now))
        {
            case CircuitState.HalfOpen:
                Open(now);
                break;
            case CircuitState.Closed when ShouldTrip(now):
                Open(now);
                break;
        }
    }

    /// <summary>Health figures at <paramref name="now"/> for dashboards and the router.</summary>
    public ModelHealthSnapshot Snapshot(DateTimeOffset now)
    {
        var window = WindowBuckets(now).ToList();
        var successes = window.Sum(b => b.Successes);
        var failures = window.Sum(b => b.Failures);
        var calls = successes + failures;
        var recent = latencies.Where(l => l.At > now - options.LatencyWindow).Select(l => l.Milliseconds).Order().ToArray();
        return new ModelHealthSnapshot(
            StateAt(now),
            calls,
            failures,
            calls == 0 ? 0 : failures / (double)calls,
            window.Sum(b => b.Timeouts),
            window.Sum(b => b.Stalls),
            Percentiles.NearestRank(recent, 0.50),
            Percentiles.NearestRank(recent, 0.95),
            consecutiveFailures,
            circuit == CircuitState.Open ? breakUntil : null,
            timesOpened,
            lastFailureKind)
        {
            FailingCredentials = FailingCredentialsAt(now),
        };
    }

    /// <summary>The state to persist; feed it back to the constructor to resume.</summary>
    public ModelHealthState ToState() => new()
    {
        Circuit = circuit,
        ConsecutiveFailures = consecutiveFailures,
        BreakUntil = breakUntil,
        ProbeStartedAt = probeStartedAt,
        TimesOpened = timesOpened,
        LastFailureKind = lastFailureKind,
        LastFailureAt = lastFailureAt,
        Buckets = buckets.ToArray(),
        FirstTokenLatencies = latencies.ToArray(),
        FailingCredentials = failingCredentials.ToArray(),
    };

    private bool ShouldTrip(DateTimeOffset now)
    {
        if (FailingCredentialsAt(now) < options.MinFailingCredentials)
        {
            return false;
        }

        if (consecutiveFailures >= options.ConsecutiveFailureThreshold)
        {
            return true;
        }

        var successes = buckets.Sum(b => b.Successes);
        var failures = buckets.Sum(b => b.Failures);
        var calls = successes + failures;
        return calls >= options.MinimumThroughput && failures / (double)calls >= options.FailureRatio;
    }

    private void Open(DateTimeOffset now)
    {
        circuit = CircuitState.Open;
        breakUntil = now + options.BreakDuration;
        probeStartedAt = null;
        timesOpened++;
    }

    private void AddToBucket(DateTimeOffset now, bool success, FailureKind? kind)
    {
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % bucketWidth.Ticks), TimeSpan.Zero);
        buckets.RemoveAll(b => b.Start <= now - options.SamplingDuration);
        var index = buckets.FindIndex(b => b.Start == start);
        var bucket = index >= 0 ? buckets[index] : new HealthBucket(start, 0, 0, 0, 0);
        bucket = success
            ? bucket with { Successes = bucket.Successes + 1 }
            : bucket with
            {
                Failures = bucket.Failures + 1,
                Timeouts = bucket.Timeouts + (kind == FailureKind.FirstTokenTimeout ? 1 : 0),
                Stalls = bucket.Stalls + (kind == FailureKind.Stall ? 1 : 0),
            };
        if (index >= 0)
        {
            buckets[index] = bucket;
        }
        else
        {
            buckets.Add(bucket);
            buckets.Sort((a, b) => a.Start.CompareTo(b.Start)); // Out-of-order clocks still leave the list sorted.
        }
    }

    private void NoteFailingCredential(string credential, DateTimeOffset now)
    {
        failingCredentials.RemoveAll(c => c.Credential == credential || c.At <= now - options.SamplingDuration);
        failingCredentials.Add(new CredentialFailure(credential, now));
        failingCredentials.Sort((a, b) => a.At.CompareTo(b.At));
        if (failingCredentials.Count > options.MaxTrackedCredentials)
        {
            failingCredentials.RemoveRange(0, failingCredentials.Count - options.MaxTrackedCredentials);
        }
    }

    private int FailingCredentialsAt(DateTimeOffset now) =>
        failingCredentials.Count(c => c.At > now - options.SamplingDuration && c.At <= now);

    private IEnumerable<HealthBucket> WindowBuckets(DateTimeOffset now) =>
        buckets.Where(b => b.Start > now - options.SamplingDuration && b.Start <= now);

    private void TrimLatencies(DateTimeOffset now)
    {
        latencies.RemoveAll(l => l.At <= now - options.LatencyWindow);
        if (latencies.Count > options.MaxLatencySamples)
        {
            latencies.RemoveRange(0, latencies.Count - options.MaxLatencySamples);
        }
    }
}
