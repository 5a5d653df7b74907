using Conversations.Contracts.Moderation;
using Conversations.Grains.Images;
using Conversations.Moderation.Green;
using Conversations.Moderation.RateLimiting;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>
/// One tenant's moderation settings and tenant-wide limits. Admit, refund and charge are synchronous and marked
/// [AlwaysInterleave]: an activation still runs one of them at a time, so every decision for the tenant is exact,
/// and none of them waits behind a settings write. Each limit holds over every 60-second window
/// (<see cref="SlidingWindowLimit"/>). The windows live in memory: a new activation starts them empty.
/// </summary>
internal sealed class TenantModerationGrain(
    [PersistentState("moderation-settings", "store")] IPersistentState<ModerationSettings> state,
    RateLimitClock clock, IOptions<GreenOptions> green, IOptions<ImageOptions> images) : Grain, ITenantModerationGrain
{
    private SlidingWindowLimit _requests = null!;
    private SlidingWindowLimit _tokens = null!;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _requests = new SlidingWindowLimit(state.State.TenantRequestsPerMinute);
        _tokens = new SlidingWindowLimit(state.State.TenantTokensPerMinute);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ModerationSettings> GetSettingsAsync() => Task.FromResult(state.State);

    /// <inheritdoc />
    public Task<ModerationStatus> GetStatusAsync() => Task.FromResult(ModerationCoverage.Of(green.Value, images.Value));

    /// <inheritdoc />
    public async Task<ModerationSettings> UpdateSettingsAsync(ModerationSettingsPatch patch)
    {
        var next = ModerationSettingsValidator.Apply(state.State, patch) with { Version = state.State.Version + 1 };
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
        _requests.Resize(next.TenantRequestsPerMinute);
        _tokens.Resize(next.TenantTokensPerMinute);
        return next;
    }

    /// <inheritdoc />
    public Task<TenantAdmission> AdmitAsync(long knownVersion)
    {
        var now = clock.Now;
        var newer = state.State.Version > knownVersion ? state.State : null;
        RateLimitDecision decision;
        if (_tokens.IsExhausted(now, out var wait))
            decision = RateLimitDecisions.Refused(RateLimitDecision.TenantScope, RateLimitDecision.TokensLimit, wait);
        else if (!_requests.TryTake(1, now, out wait))
            decision = RateLimitDecisions.Refused(RateLimitDecision.TenantScope, RateLimitDecision.RequestsLimit, wait);
        else
            decision = RateLimitDecision.Admitted;
        return Task.FromResult(new TenantAdmission(decision, newer));
    }

    /// <inheritdoc />
    public Task RefundAsync()
    {
        _requests.Give(1, clock.Now);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ChargeTokensAsync(int tokens)
    {
        if (tokens > 0) _tokens.Charge(tokens, clock.Now);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<TenantAdmission> AdmitBackgroundAsync(double reservedShare, long knownVersion)
    {
        var newer = state.State.Version > knownVersion ? state.State : null;
        var wait = _tokens.TimeUntil(RateLimitDecisions.Reserved(_tokens, reservedShare), clock.Now);
        var decision = wait > TimeSpan.Zero
            ? RateLimitDecisions.Refused(RateLimitDecision.TenantScope, RateLimitDecision.TokensLimit, wait)
            : RateLimitDecision.Admitted;
        return Task.FromResult(new TenantAdmission(decision, newer));
    }
}
