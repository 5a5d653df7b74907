using Conversations.Contracts.Moderation;

namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>
/// One tenant's moderation settings and tenant-wide buckets. Admit, refund and charge are synchronous and marked
/// [AlwaysInterleave]: an activation still runs one of them at a time, so every decision for the tenant is exact,
/// and none of them waits behind a settings write. Buckets live in memory: a new activation starts them full.
/// </summary>
public sealed class TenantModerationGrain(
    [PersistentState("moderation-settings", "store")] IPersistentState<ModerationSettings> state,
    RateLimitClock clock) : Grain, ITenantModerationGrain
{
    private TokenBucket _requests = null!;
    private TokenBucket _tokens = null!;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var now = clock.Now;
        _requests = new TokenBucket(state.State.TenantRequestsPerMinute, now);
        _tokens = new TokenBucket(state.State.TenantTokensPerMinute, now);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ModerationSettings> GetSettingsAsync() => Task.FromResult(state.State);

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
        var now = clock.Now;
        _requests.Resize(next.TenantRequestsPerMinute, now);
        _tokens.Resize(next.TenantTokensPerMinute, now);
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
