namespace Conversations.Routing.Health;

/// <summary>Breaker and health-window settings for one model endpoint; each default is stated once here.</summary>
public sealed record ModelHealthOptions
{
    /// <summary>Default window over which the failure ratio is measured.</summary>
    public static readonly TimeSpan DefaultSamplingDuration = TimeSpan.FromSeconds(30);

    /// <summary>Default time the circuit stays open before a probe is allowed.</summary>
    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(15);

    /// <summary>Window over which the failure ratio is measured (Polly: SamplingDuration).</summary>
    public TimeSpan SamplingDuration { get; init; } = DefaultSamplingDuration;

    /// <summary>Buckets the sampling window is cut into; old buckets drop off whole.</summary>
    public int BucketCount { get; init; } = 10;

    /// <summary>Failure share in the window at or above which the circuit opens (Polly: FailureRatio).</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Calls the window must hold before the ratio may open the circuit (Polly: MinimumThroughput).</summary>
    public int MinimumThroughput { get; init; } = 10;

    /// <summary>Failures in a row that open the circuit whatever the throughput; a quiet endpoint that is down still trips fast.</summary>
    public int ConsecutiveFailureThreshold { get; init; } = 3;

    /// <summary>
    /// Distinct credentials whose calls must have failed within the sampling window before the circuit may open. One for
    /// a circuit of a single credential; more for the circuit all tenants share, so one tenant cannot open it for all.
    /// </summary>
    public int MinFailingCredentials { get; init; } = 1;

    /// <summary>Most failing credentials remembered; bounds the persisted state.</summary>
    public int MaxTrackedCredentials { get; init; } = 32;

    /// <summary>Time the circuit stays open before a probe (Polly: BreakDuration).</summary>
    public TimeSpan BreakDuration { get; init; } = DefaultBreakDuration;

    /// <summary>A half-open probe that reports nothing within this time (its turn crashed) frees the probe slot.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Window for the time-to-first-token percentiles.</summary>
    public TimeSpan LatencyWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most latency samples kept; bounds the persisted state.</summary>
    public int MaxLatencySamples { get; init; } = 512;

    /// <summary>How long a caller waits for the first token before failing over (callers read it from here).</summary>
    public TimeSpan FirstTokenTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a caller waits between tokens mid-stream before calling it a stall.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        Require(SamplingDuration > TimeSpan.Zero, $"sampling duration {SamplingDuration} must be positive");
        Require(BucketCount is >= 1 and <= 600, $"bucket count {BucketCount} must be between 1 and 600");
        Require(FailureRatio is > 0 and <= 1, $"failure ratio {FailureRatio} must be above 0 and at most 1");
        Require(MinimumThroughput >= 1, $"minimum throughput {MinimumThroughput} must be at least 1");
        Require(ConsecutiveFailureThreshold >= 1, $"consecutive failure threshold {ConsecutiveFailureThreshold} must be at least 1");
        Require(MinFailingCredentials >= 1, $"minimum failing credentials {MinFailingCredentials} must be at least 1");
        Require(MaxTrackedCredentials >= MinFailingCredentials, $"tracked credentials {MaxTrackedCredentials} must be at least the minimum failing credentials");
        Require(BreakDuration > TimeSpan.Zero, $"break duration {BreakDuration} must be positive");
        Require(ProbeTimeout > TimeSpan.Zero, $"probe timeout {ProbeTimeout} must be positive");
        Require(LatencyWindow > TimeSpan.Zero, $"latency window {LatencyWindow} must be positive");
        Require(MaxLatencySamples >= 1, $"max latency samples {MaxLatencySamples} must be at least 1");
        Require(FirstTokenTimeout > TimeSpan.Zero && StallTimeout > TimeSpan.Zero, "first-token and stall timeouts must be positive");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException("Model health options: " + message + ".");
        }
    }
}
