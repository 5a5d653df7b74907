namespace Conversations.Moderation.Green;

/// <summary>Why a Green call failed.</summary>
public enum GreenErrorKind
{
    /// <summary>408 or an auth/signature error: the account or keys are not usable.</summary>
    NotAuthorized,

    /// <summary>588: quota used up.</summary>
    OverQuota,

    /// <summary>581 or HTTP 5xx: Green timed out or failed internally (transient).</summary>
    Timeout,

    /// <summary>Throttled (HTTP 429 / Throttling codes), possibly with x-acs-retry-after (transient).</summary>
    Throttled,

    /// <summary>Any other rejection of the request (not retried).</summary>
    BadRequest,

    /// <summary>The response could not be understood.</summary>
    InvalidResponse,
}

/// <summary>A failed Green call, with the body's Code, Message, RequestId and any retry-after hint.</summary>
internal sealed class GreenException(GreenErrorKind kind, string code, string? message, string? requestId, TimeSpan? retryAfter = null)
    : Exception($"Green call failed: {kind} (Code {code}{(message is null ? "" : ": " + message)}, RequestId {requestId ?? "-"})")
{
    /// <summary>Classified failure.</summary>
    public GreenErrorKind Kind { get; } = kind;

    /// <summary>The body's Code (number or string).</summary>
    public string Code { get; } = code;

    /// <summary>The body's RequestId, for support tickets.</summary>
    public string? RequestId { get; } = requestId;

    /// <summary>The server's x-acs-retry-after hint, if any.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True for failures worth retrying (timeouts, throttling).</summary>
    public bool IsTransient => Kind is GreenErrorKind.Timeout or GreenErrorKind.Throttled;
}
