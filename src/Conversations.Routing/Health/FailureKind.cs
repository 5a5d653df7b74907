namespace Conversations.Routing.Health;

/// <summary>
/// How a model call failed. <see cref="FailureClassifier.ScopeOf"/> says whose fault it is: the endpoint's (counted
/// toward the circuit every tenant shares) or the caller's credential (counted only against that credential).
/// Timeouts and stalls are also tallied apart.
/// </summary>
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

    /// <summary>The endpoint refused the caller for load (429 that names no quota): the caller's own rate limit.</summary>
    RateLimited = 4,

    /// <summary>The endpoint refused the caller's credential (401, 403).</summary>
    Unauthorized = 5,

    /// <summary>The caller's quota or billing is exhausted (e.g. 429 <c>insufficient_quota</c>).</summary>
    QuotaExceeded = 6,

    /// <summary>The endpoint rejected the request itself (400, 404 unknown model, 422, other 4xx).</summary>
    Rejected = 7,

    /// <summary>The platform's endpoint policy refused to connect to the address the endpoint resolved to.</summary>
    Refused = 8,
}
