namespace Conversations.Routing.Health;

/// <summary>
/// The health of one model endpoint at a moment: breaker state, error rate and counts over the sampling window,
/// time-to-first-token percentiles over the latency window (null without samples).
/// </summary>
public sealed record ModelHealthSnapshot(
    CircuitState Circuit,
    int Calls,
    int Failures,
    double ErrorRate,
    int Timeouts,
    int Stalls,
    double? FirstTokenP50Ms,
    double? FirstTokenP95Ms,
    int ConsecutiveFailures,
    DateTimeOffset? BreakUntil,
    int TimesOpened,
    FailureKind? LastFailureKind)
{
    /// <summary>Distinct credentials whose calls failed within the sampling window.</summary>
    public int FailingCredentials { get; init; }

    /// <summary>When the last failure was recorded; null when none was.</summary>
    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>Whether the router should leave this model out right now (open and still inside its break).</summary>
    public bool Unavailable => Circuit == CircuitState.Open;
}
