namespace Conversations.Routing.Health;

/// <summary>Calls counted in one slice of the sampling window.</summary>
public sealed record HealthBucket(DateTimeOffset Start, int Successes, int Failures, int Timeouts, int Stalls);

/// <summary>One time-to-first-token measurement.</summary>
public sealed record LatencySample(DateTimeOffset At, double Milliseconds);

/// <summary>The latest failure of one credential (an opaque fingerprint, never the key).</summary>
public sealed record CredentialFailure(string Credential, DateTimeOffset At);

/// <summary>
/// Everything a <see cref="ModelHealthTracker"/> knows, as a plain record a grain can persist and hand back after a
/// restart. Its size is bounded by the bucket count and <see cref="ModelHealthOptions.MaxLatencySamples"/>.
/// </summary>
public sealed record ModelHealthState
{
    /// <summary>The breaker state as last changed (an open circuit whose break has ended still reads Open here).</summary>
    public CircuitState Circuit { get; init; }

    /// <summary>Failures since the last success.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When an open circuit allows its first probe.</summary>
    public DateTimeOffset? BreakUntil { get; init; }

    /// <summary>When the half-open probe in flight was handed out; null when none is.</summary>
    public DateTimeOffset? ProbeStartedAt { get; init; }

    /// <summary>How often the circuit has opened.</summary>
    public int TimesOpened { get; init; }

    /// <summary>The latest failure's kind and time.</summary>
    public FailureKind? LastFailureKind { get; init; }

    /// <summary>When the latest failure happened.</summary>
    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>Outcome counts per slice of the sampling window, oldest first.</summary>
    public IReadOnlyList<HealthBucket> Buckets { get; init; } = [];

    /// <summary>Credentials whose calls failed recently, each with its latest failure, oldest first.</summary>
    public IReadOnlyList<CredentialFailure> FailingCredentials { get; init; } = [];

    /// <summary>Recent time-to-first-token samples, oldest first.</summary>
    public IReadOnlyList<LatencySample> FirstTokenLatencies { get; init; } = [];
}
