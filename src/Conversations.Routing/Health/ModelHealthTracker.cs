namespace Conversations.Routing.Health;

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
    private readonly ModelHealthOptions _options;
    private readonly TimeSpan _bucketWidth;
    private readonly List<HealthBucket> _buckets;
    private readonly List<LatencySample> _latencies;
    private readonly List<CredentialFailure> _failingCredentials;
    private CircuitState _circuit;
    private int _consecutiveFailures;
    private DateTimeOffset? _breakUntil;
    private DateTimeOffset? _probeStartedAt;
    private int _timesOpened;
    private FailureKind? _lastFailureKind;
    private DateTimeOffset? _lastFailureAt;

    /// <summary>A tracker with <paramref name="options"/>, resuming from <paramref name="state"/> when given.</summary>
    public ModelHealthTracker(ModelHealthOptions? options = null, ModelHealthState? state = null)
    {
        _options = options ?? new ModelHealthOptions();
        _options.Validate();
        _bucketWidth = _options.SamplingDuration / _options.BucketCount;
        state ??= new ModelHealthState();
        _circuit = state.Circuit;
        _consecutiveFailures = state.ConsecutiveFailures;
        _breakUntil = state.BreakUntil;
        _probeStartedAt = state.ProbeStartedAt;
        _timesOpened = state.TimesOpened;
        _lastFailureKind = state.LastFailureKind;
        _lastFailureAt = state.LastFailureAt;
        _buckets = [.. state.Buckets];
        _latencies = [.. state.FirstTokenLatencies];
        _failingCredentials = [.. state.FailingCredentials];
    }

    /// <summary>The settings in force.</summary>
    public ModelHealthOptions Options => _options;

    /// <summary>The breaker state at <paramref name="now"/>, without taking a probe: an open circuit past its break reads half-open.</summary>
    public CircuitState StateAt(DateTimeOffset now) =>
        _circuit == CircuitState.Open && _breakUntil is { } until && now >= until ? CircuitState.HalfOpen : _circuit;

    /// <summary>
    /// Whether a call may go to this endpoint now. Closed: yes. Open: no until the break ends. Half-open: yes for
    /// exactly one caller (the probe) until it reports or <see cref="ModelHealthOptions.ProbeTimeout"/> passes.
    /// A true answer in half-open hands out the probe, so ask only when about to call.
    /// </summary>
    public bool IsCallPermitted(DateTimeOffset now)
    {
        if (_circuit == CircuitState.Open && _breakUntil is { } until && now >= until)
        {
            _circuit = CircuitState.HalfOpen;
            _probeStartedAt = null;
        }

        switch (_circuit)
        {
            case CircuitState.Closed:
                return true;
            case CircuitState.HalfOpen when _probeStartedAt is null || now - _probeStartedAt.Value >= _options.ProbeTimeout:
                _probeStartedAt = now;
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
            _probeStartedAt = null;
        }
    }

    /// <summary>A call succeeded with its first token after <paramref name="firstTokenLatency"/>; closes a half-open circuit.</summary>
    public void RecordSuccess(TimeSpan firstTokenLatency, DateTimeOffset now)
    {
        AddToBucket(now, success: true, kind: null);
        _latencies.Add(new LatencySample(now, Math.Max(0, firstTokenLatency.TotalMilliseconds)));
        TrimLatencies(now);
        _consecutiveFailures = 0;
        if (StateAt(now) == CircuitState.HalfOpen)
        {
            // Like Polly, a success while half-open closes the circuit and starts a fresh window.
            _circuit = CircuitState.Closed;
            _breakUntil = null;
            _probeStartedAt = null;
            _buckets.Clear();
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
        _consecutiveFailures++;
        _lastFailureKind = kind;
        _lastFailureAt = now;
        switch (StateAt(now))
        {
            // A failed probe reopens the circuit once as many credentials as opening it needs have failed since the
            // break ended; before that the probe goes to the next caller (one tenant alone must not hold a shared
            // circuit open for the others).
            case CircuitState.HalfOpen when _failingCredentials.Count(c => c.At >= _breakUntil) >= _options.MinFailingCredentials:
                Open(now);
                break;
            case CircuitState.HalfOpen:
                _probeStartedAt = null;
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
        var recent = _latencies.Where(l => l.At > now - _options.LatencyWindow).Select(l => l.Milliseconds).Order().ToArray();
        return new ModelHealthSnapshot(
            StateAt(now),
            calls,
            failures,
            calls == 0 ? 0 : failures / (double)calls,
            window.Sum(b => b.Timeouts),
            window.Sum(b => b.Stalls),
            Percentiles.NearestRank(recent, 0.50),
            Percentiles.NearestRank(recent, 0.95),
            _consecutiveFailures,
            _circuit == CircuitState.Open ? _breakUntil : null,
            _timesOpened,
            _lastFailureKind)
        {
            FailingCredentials = FailingCredentialsAt(now),
            LastFailureAt = _lastFailureAt,
        };
    }

    /// <summary>The state to persist; feed it back to the constructor to resume.</summary>
    public ModelHealthState ToState() => new()
    {
        Circuit = _circuit,
        ConsecutiveFailures = _consecutiveFailures,
        BreakUntil = _breakUntil,
        ProbeStartedAt = _probeStartedAt,
        TimesOpened = _timesOpened,
        LastFailureKind = _lastFailureKind,
        LastFailureAt = _lastFailureAt,
        Buckets = _buckets.ToArray(),
        FirstTokenLatencies = _latencies.ToArray(),
        FailingCredentials = _failingCredentials.ToArray(),
    };

    private bool ShouldTrip(DateTimeOffset now)
    {
        if (FailingCredentialsAt(now) < _options.MinFailingCredentials)
        {
            return false;
        }

        if (_consecutiveFailures >= _options.ConsecutiveFailureThreshold)
        {
            return true;
        }

        var successes = _buckets.Sum(b => b.Successes);
        var failures = _buckets.Sum(b => b.Failures);
        var calls = successes + failures;
        return calls >= _options.MinimumThroughput && failures / (double)calls >= _options.FailureRatio;
    }

    private void Open(DateTimeOffset now)
    {
        _circuit = CircuitState.Open;
        _breakUntil = now + _options.BreakDuration;
        _probeStartedAt = null;
        _timesOpened++;
    }

    private void AddToBucket(DateTimeOffset now, bool success, FailureKind? kind)
    {
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % _bucketWidth.Ticks), TimeSpan.Zero);
        _buckets.RemoveAll(b => b.Start <= now - _options.SamplingDuration);
        var index = _buckets.FindIndex(b => b.Start == start);
        var bucket = index >= 0 ? _buckets[index] : new HealthBucket(start, 0, 0, 0, 0);
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
            _buckets[index] = bucket;
        }
        else
        {
            _buckets.Add(bucket);
            _buckets.Sort((a, b) => a.Start.CompareTo(b.Start)); // Out-of-order clocks still leave the list sorted.
        }
    }

    private void NoteFailingCredential(string credential, DateTimeOffset now)
    {
        _failingCredentials.RemoveAll(c => c.Credential == credential || c.At <= now - _options.SamplingDuration);
        _failingCredentials.Add(new CredentialFailure(credential, now));
        _failingCredentials.Sort((a, b) => a.At.CompareTo(b.At));
        if (_failingCredentials.Count > _options.MaxTrackedCredentials)
        {
            _failingCredentials.RemoveRange(0, _failingCredentials.Count - _options.MaxTrackedCredentials);
        }
    }

    private int FailingCredentialsAt(DateTimeOffset now) =>
        _failingCredentials.Count(c => c.At > now - _options.SamplingDuration && c.At <= now);

    private IEnumerable<HealthBucket> WindowBuckets(DateTimeOffset now) =>
        _buckets.Where(b => b.Start > now - _options.SamplingDuration && b.Start <= now);

    private void TrimLatencies(DateTimeOffset now)
    {
        _latencies.RemoveAll(l => l.At <= now - _options.LatencyWindow);
        if (_latencies.Count > _options.MaxLatencySamples)
        {
            _latencies.RemoveRange(0, _latencies.Count - _options.MaxLatencySamples);
        }
    }
}
