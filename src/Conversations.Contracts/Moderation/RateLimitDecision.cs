namespace Conversations.Contracts.Moderation;

/// <summary>Whether a request may start; when not, which limit refused it and when to try again.</summary>
/// <param name="Allowed">True: the request was admitted and counted.</param>
/// <param name="RetryAfterSeconds">When refused: whole seconds until the refusing bucket admits again (at least 1).</param>
/// <param name="Scope">When refused: "user" or "tenant".</param>
/// <param name="Limit">When refused: "requests" or "tokens".</param>
[GenerateSerializer, Immutable, Alias("rate-limit-decision")]
public sealed record RateLimitDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] int RetryAfterSeconds = 0,
    [property: Id(2)] string? Scope = null,
    [property: Id(3)] string? Limit = null)
{
    /// <summary>Scope of a per-user limit.</summary>
    public const string UserScope = "user";
    /// <summary>Scope of a tenant-wide limit.</summary>
    public const string TenantScope = "tenant";
    /// <summary>The requests-a-minute bucket.</summary>
    public const string RequestsLimit = "requests";
    /// <summary>The tokens-a-minute bucket.</summary>
    public const string TokensLimit = "tokens";

    /// <summary>An admitted request.</summary>
    public static readonly RateLimitDecision Admitted = new(true);
}

/// <summary>The tenant grain's answer to a user grain: its decision plus the settings, when newer than the user grain's.</summary>
[GenerateSerializer, Immutable, Alias("tenant-admission")]
public sealed record TenantAdmission(
    [property: Id(0)] RateLimitDecision Decision,
    [property: Id(1)] ModerationSettings? NewerSettings);
