namespace Conversations.Routing.Tests.Health;

/// <summary>The start time and breaker settings the health tests share.</summary>
internal static class TestHealth
{
    /// <summary>The tests' clock starts here.</summary>
    public static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Three consecutive failures, or half of ten calls in 30 s, open the circuit for 10 s.</summary>
    public static readonly ModelHealthOptions Options = new()
    {
        ConsecutiveFailureThreshold = 3,
        MinimumThroughput = 10,
        FailureRatio = 0.5,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromSeconds(10),
    };
}
