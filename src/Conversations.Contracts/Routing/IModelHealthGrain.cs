using Orleans.Concurrency;

namespace Conversations.Contracts.Routing;

/// <summary>How one call to a model endpoint went.</summary>
/// <param name="FailureKind">
/// null on success; else "server_error", "first_token_timeout", "stall", "connection" (the endpoint's failures), or
/// "rate_limited", "unauthorized", "quota_exceeded", "rejected", "refused" (the caller's credential's).
/// </param>
/// <param name="Credential">An opaque fingerprint of the caller's credential (never the key), so the shared circuit can count distinct callers.</param>
[GenerateSerializer, Immutable, Alias("health-outcome")]
public sealed record HealthOutcome(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] double? FirstTokenMs,
    [property: Id(2)] string? FailureKind,
    [property: Id(3)] string? Credential = null);

/// <summary>The health of one endpoint: breaker state ("closed", "open", "half-open"), error rate, stalls and first-token latency.</summary>
[GenerateSerializer, Immutable, Alias("health-view")]
public sealed record ModelHealthView(
    [property: Id(0)] string Circuit,
    [property: Id(1)] int Calls,
    [property: Id(2)] int Failures,
    [property: Id(3)] double ErrorRate,
    [property: Id(4)] int Timeouts,
    [property: Id(5)] int Stalls,
    [property: Id(6)] double? FirstTokenP50Ms,
    [property: Id(7)] double? FirstTokenP95Ms,
    [property: Id(8)] int ConsecutiveFailures,
    [property: Id(9)] DateTimeOffset? BreakUntil,
    [property: Id(10)] int TimesOpened,
    [property: Id(11)] string? LastFailureKind,
    [property: Id(12)] DateTimeOffset ObservedAt)
{
    /// <summary>When the last failure was recorded; null when none was.</summary>
    [Id(13)] public DateTimeOffset? LastFailureAt { get; init; }
}

/// <summary>
/// Health and circuit breaker of one model endpoint, in one of two scopes. Key <c>_platform/health-{hash}</c>: the
/// endpoint URL + model name, shared by every tenant that uses it (the one documented exception to "every key starts
/// with the tenant", because an outage of a shared endpoint is one fact for all tenants); it counts only the endpoint's
/// failures, holds no tenant data and opens only on failures of several distinct credentials. Key
/// <c>{tenant}/health-{hash}</c>: one tenant's credential on that endpoint and model; it counts all of that tenant's
/// calls, including the answers that speak only about the credential (401, quota, 4xx).
/// </summary>
[Alias("model-health")]
public interface IModelHealthGrain : IGrainWithStringKey
{
    /// <summary>The health now.</summary>
    [ReadOnly]
    [Alias("get")]
    Task<ModelHealthView> GetAsync();

    /// <summary>Asks to call the endpoint now: true when closed, or for the one caller that becomes the half-open probe.</summary>
    [Alias("try-acquire")]
    Task<bool> TryAcquireAsync();

    /// <summary>Records call outcomes (may open or close the circuit) and returns the health after them.</summary>
    [Alias("report")]
    Task<ModelHealthView> ReportAsync(IReadOnlyList<HealthOutcome> outcomes);
}
