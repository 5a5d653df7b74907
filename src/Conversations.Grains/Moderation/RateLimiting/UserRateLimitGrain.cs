using Orleans.Runtime.Placement.Filtering;
using Conversations.Contracts;
using Conversations.Contracts.Moderation;
using Conversations.Moderation.RateLimiting;

namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>
/// One user's limits, each holding over every 60-second window (<see cref="SlidingWindowLimit"/>). The API makes one
/// call here per request: the user's limits decide first (a refused request costs no tenant call), then the tenant
/// grain takes its share. Not reentrant, so one user's concurrent requests are
/// decided one after another and exactly the limit gets through; different users run in parallel.
/// New limits arrive with the tenant's answer (settings version) and apply from then on.
/// </summary>
// Placed in the zone of the silo that first calls it (the API's gateway, or the conversation's silo), so one
// conversation's grains and its user's stay in one zone; anywhere else when that zone has no silo left.
#pragma warning disable ORLEANSEXP004 // silo-metadata placement filters are marked experimental in Orleans 10
[PreferredMatchSiloMetadataPlacementFilter(["zone"], minCandidates: 1)]
#pragma warning restore ORLEANSEXP004
internal sealed class UserRateLimitGrain(RateLimitClock clock) : Grain, IUserRateLimitGrain
{
    private ITenantModerationGrain _tenant = null!;
    private ModerationSettings _settings = new();
    private SlidingWindowLimit _requests = null!;
    private SlidingWindowLimit _tokens = null!;
    private DateTimeOffset _settingsCheckedAt;

    private static readonly TimeSpan SettingsCheckInterval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (tenantId, _) = GrainKeys.Split(this.GetPrimaryKeyString());
        _tenant = GrainFactory.GetGrain<ITenantModerationGrain>(tenantId);
        _settings = await _tenant.GetSettingsAsync();
        _requests = new SlidingWindowLimit(_settings.UserRequestsPerMinute);
        _tokens = new SlidingWindowLimit(_settings.UserTokensPerMinute);
    }

    /// <inheritdoc />
    public async Task<RateLimitDecision> TryAdmitAsync()
    {
        var now = clock.Now;
        if (UserRefusal(now) is { } refused)
        {
            // A refusal never reaches the tenant grain, so it would not learn of a raised limit until the window frees
            // a slot (up to a minute). Ask for newer settings, at most once a second, before refusing.
            if (now - _settingsCheckedAt < SettingsCheckInterval) return refused;
            _settingsCheckedAt = now;
            var latest = await _tenant.GetSettingsAsync();
            if (latest.Version == _settings.Version) return refused;
            Apply(latest);
            now = clock.Now;
            if (UserRefusal(now) is { } stillRefused) return stillRefused;
        }

        var admission = await _tenant.AdmitAsync(_settings.Version);
        now = clock.Now;
        if (admission.NewerSettings is { } newer)
        {
            Apply(newer);
            // The request was counted against the old limit; under the new one the user may already be over.
            if (_requests.Used(now) > _requests.Limit)
            {
                _requests.Give(1, now);
                if (admission.Decision.Allowed) _tenant.RefundAsync().Ignore();
                return RateLimitDecisions.Refused(RateLimitDecision.UserScope, RateLimitDecision.RequestsLimit, _requests.TimeUntil(1, now));
            }
        }
        if (!admission.Decision.Allowed)
        {
            _requests.Give(1, now);
            return admission.Decision;
        }
        return RateLimitDecision.Admitted;
    }

    /// <inheritdoc />
    public async Task ChargeTokensAsync(int tokens)
    {
        if (tokens <= 0) return;
        _tokens.Charge(tokens, clock.Now);
        await _tenant.ChargeTokensAsync(tokens);
    }

    /// <inheritdoc />
    public async Task<RateLimitDecision> AdmitBackgroundAsync(double reservedShare)
    {
        var wait = _tokens.TimeUntil(RateLimitDecisions.Reserved(_tokens, reservedShare), clock.Now);
        if (wait > TimeSpan.Zero) return RateLimitDecisions.Refused(RateLimitDecision.UserScope, RateLimitDecision.TokensLimit, wait);
        var admission = await _tenant.AdmitBackgroundAsync(reservedShare, _settings.Version);
        if (admission.NewerSettings is { } newer) Apply(newer);
        return admission.Decision;
    }

    // The user's own windows: a refusal, or null after taking one request.
    private RateLimitDecision? UserRefusal(DateTimeOffset now)
    {
        if (_tokens.IsExhausted(now, out var wait))
            return RateLimitDecisions.Refused(RateLimitDecision.UserScope, RateLimitDecision.TokensLimit, wait);
        if (!_requests.TryTake(1, now, out wait))
            return RateLimitDecisions.Refused(RateLimitDecision.UserScope, RateLimitDecision.RequestsLimit, wait);
        return null;
    }

    private void Apply(ModerationSettings settings)
    {
        _settings = settings;
        _requests.Resize(settings.UserRequestsPerMinute);
        _tokens.Resize(settings.UserTokensPerMinute);
    }
}
