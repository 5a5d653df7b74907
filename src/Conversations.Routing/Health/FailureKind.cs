namespace Conversations.Routing;

/// <summary>How a model call failed; every kind counts against the breaker, timeouts and stalls are also tallied apart.</summary>
public enum FailureKind
{
    /// <summary>The endpoint answered with a 5xx status or an unusable body.</summary>
    ServerError = 0,

    /// <summary>No first token within the first-token timeout.</summary>
    FirstTokenTimeout = 1,

    /// <summary>The stream started, then no token arrived within the stall timeout.</summary>
    Stall = 2,

    /// <summary>The connection could not be made or broke.</summary>
    Connection = 3,

    /// <summary>The endpoint refused the call for load (429).</summary>
    RateLimited = 4,
}
