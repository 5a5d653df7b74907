namespace Conversations.Routing.Health;

/// <summary>The circuit breaker's state for one model endpoint (the same three states as Polly's breaker).</summary>
public enum CircuitState
{
    /// <summary>Calls flow; outcomes are counted.</summary>
    Closed = 0,

    /// <summary>Calls are refused until the break ends.</summary>
    Open = 1,

    /// <summary>The break is over; one probe call at a time decides whether to close or open again.</summary>
    HalfOpen = 2,
}
