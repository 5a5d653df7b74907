namespace Conversations.Routing.Health;

/// <summary>Whose health a failure speaks for.</summary>
public enum FailureScope
{
    /// <summary>The endpoint's: transport errors, 5xx, timeouts and stalls; counted toward the circuit all callers share.</summary>
    Endpoint = 0,

    /// <summary>The caller's credential: authentication, permission, quota, rate limit and bad requests; never the shared circuit.</summary>
    Credential = 1,
}
