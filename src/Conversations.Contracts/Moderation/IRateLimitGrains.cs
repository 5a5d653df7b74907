using Orleans.Concurrency;

namespace Conversations.Contracts.Moderation;

/// <summary>
/// A tenant's moderation settings and its tenant-wide limits, key <c>{tenant}</c>. Every decision for the tenant's
/// limits is taken here, so N API replicas together admit no more than the limit.
/// </summary>
[Alias("tenant-moderation")]
public interface ITenantModerationGrain : IGrainWithStringKey
{
    /// <summary>The current settings (defaults when never changed).</summary>
    [ReadOnly, Alias("get-settings")]
    Task<ModerationSettings> GetSettingsAsync();

    /// <summary>What moderation can check for the tenant with the platform's configuration (Green, images).</summary>
    [ReadOnly, Alias("get-status")]
    Task<ModerationStatus> GetStatusAsync();

    /// <summary>Applies a validated patch (<see cref="ArgumentException"/> on bad values) and returns the new settings.</summary>
    [Alias("update-settings")]
    Task<ModerationSettings> UpdateSettingsAsync(ModerationSettingsPatch patch);

    /// <summary>Counts one request against the tenant limit if the tenant is within both limits; returns newer settings than <paramref name="knownVersion"/>.</summary>
    [AlwaysInterleave, Alias("admit")]
    Task<TenantAdmission> AdmitAsync(long knownVersion);

    /// <summary>Gives back a request taken by <see cref="AdmitAsync"/> that a user limit then refused.</summary>
    [OneWay, AlwaysInterleave, Alias("refund")]
    Task RefundAsync();

    /// <summary>Charges a finished turn's real token count to the tenant's token limit.</summary>
    [AlwaysInterleave, Alias("charge")]
    Task ChargeTokensAsync(int tokens);

    /// <summary>
    /// Admits background work (an offline batch item) without taking a request: refused while the tenant's token
    /// bucket holds less than <paramref name="reservedShare"/> of its limit, which is left to interactive turns.
    /// </summary>
    [AlwaysInterleave, Alias("admit-background")]
    Task<TenantAdmission> AdmitBackgroundAsync(double reservedShare, long knownVersion);
}

/// <summary>One user's limits, key <c>{tenant}/{user}</c>: decides for the user, then asks the tenant grain, in one call from the API.</summary>
[Alias("user-rate-limit")]
public interface IUserRateLimitGrain : IGrainWithStringKey
{
    /// <summary>Admits one request if the user and the tenant are both within their request and token limits.</summary>
    [Alias("try-admit")]
    Task<RateLimitDecision> TryAdmitAsync();

    /// <summary>Charges a finished turn's real token count to the user's and the tenant's token limits.</summary>
    [Alias("charge")]
    Task ChargeTokensAsync(int tokens);

    /// <summary>
    /// Admits background work (an offline batch item) without taking a request: refused while the user's or the
    /// tenant's token bucket holds less than <paramref name="reservedShare"/> of its limit, which is left to
    /// interactive turns. The work's tokens are charged afterwards like a turn's.
    /// </summary>
    [Alias("admit-background")]
    Task<RateLimitDecision> AdmitBackgroundAsync(double reservedShare);
}
