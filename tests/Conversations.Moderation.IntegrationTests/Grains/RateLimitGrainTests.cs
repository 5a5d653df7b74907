using Conversations.Contracts;
using Conversations.Contracts.Moderation;

namespace Conversations.Moderation.IntegrationTests.Grains;

/// <summary>Rate-limit grains on two silos: exact under concurrency, token charging, limits changed by the admin.</summary>
[Collection(RateLimitClusterCollection.Name)]
public sealed class RateLimitGrainTests(RateLimitClusterFixture fx)
{
    private static string NewTenant() => "rl-" + Guid.NewGuid().ToString("n")[..12];

    // Alternates the callers between the client and both silos, as several API replicas would.
    private IGrainFactory Caller(int i) => (i % 3) switch
    {
        0 => fx.Cluster.Client,
        var n => fx.SiloFactories[(n - 1) % fx.SiloFactories.Count],
    };

    [Fact(DisplayName = "1,000 concurrent requests of one user against a limit of 37 admit exactly 37, from three callers on two silos")]
    public async Task User_limit_is_exact_under_concurrency()
    {
        var tenant = NewTenant();
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(new ModerationSettingsPatch { UserRequestsPerMinute = 37 });
        var decisions = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            Caller(i).GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "alice")).TryAdmitAsync()));
        Assert.Equal(37, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d =>
        {
            Assert.Equal((RateLimitDecision.UserScope, RateLimitDecision.RequestsLimit), (d.Scope, d.Limit));
            Assert.InRange(d.RetryAfterSeconds, 1, 2); // 37 a minute: the next one in about 1.6 s
        });
    }

    [Fact(DisplayName = "1,000 concurrent requests of 100 users against a tenant limit of 137 admit exactly 137")]
    public async Task Tenant_limit_is_exact_under_concurrency()
    {
        var tenant = NewTenant();
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(new ModerationSettingsPatch { TenantRequestsPerMinute = 137 });
        var decisions = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            Caller(i).GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, $"u{i % 100}")).TryAdmitAsync()));
        Assert.Equal(137, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(RateLimitDecision.TenantScope, d.Scope));
        // A user refused by the tenant got its own request back: after the minute, each user again has its full share.
        RateLimitClusterFixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "u0")).TryAdmitAsync()).Allowed);
    }

    [Fact(DisplayName = "Tokens charged after a turn overdraw the user's bucket: the next request is refused with the tokens limit until it refills")]
    public async Task Token_budget_refuses_the_next_request()
    {
        var tenant = NewTenant();
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(new ModerationSettingsPatch { UserTokensPerMinute = 600 });
        var user = fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "bob"));
        Assert.True((await user.TryAdmitAsync()).Allowed);
        await user.ChargeTokensAsync(900);
        var refused = await user.TryAdmitAsync();
        Assert.False(refused.Allowed);
        Assert.Equal((RateLimitDecision.UserScope, RateLimitDecision.TokensLimit), (refused.Scope, refused.Limit));
        Assert.InRange(refused.RetryAfterSeconds, 30, 31); // 300 tokens over at 10 a second
        RateLimitClusterFixture.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.True((await user.TryAdmitAsync()).Allowed);
    }

    [Fact(DisplayName = "The tenant's token budget refuses every user of the tenant once it is spent")]
    public async Task Tenant_token_budget_refuses_other_users()
    {
        var tenant = NewTenant();
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(
            new ModerationSettingsPatch { UserTokensPerMinute = 5000, TenantTokensPerMinute = 6000 });
        var carol = fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "carol"));
        await carol.ChargeTokensAsync(4000);
        var dave = fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "dave"));
        await dave.ChargeTokensAsync(4000);
        var erin = await fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "erin")).TryAdmitAsync();
        Assert.False(erin.Allowed);
        Assert.Equal((RateLimitDecision.TenantScope, RateLimitDecision.TokensLimit), (erin.Scope, erin.Limit));
    }

    [Fact(DisplayName = "A lowered user limit reaches an active user grain with its next request and counts what was already used")]
    public async Task Lowered_limit_reaches_active_grain()
    {
        var tenant = NewTenant();
        var user = fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "frank"));
        Assert.True((await user.TryAdmitAsync()).Allowed); // active with the default 60 a minute
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(new ModerationSettingsPatch { UserRequestsPerMinute = 3 });
        var later = new List<bool>();
        for (var i = 0; i < 6; i++) later.Add((await user.TryAdmitAsync()).Allowed);
        Assert.Equal(2, later.Count(a => a)); // 3 in the minute, one of them before the change
    }

    [Fact(DisplayName = "Background work takes no request and starts only while the user's and the tenant's token buckets keep the reserved share")]
    public async Task Background_work_leaves_the_interactive_share()
    {
        var tenant = NewTenant();
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(
            new ModerationSettingsPatch { UserRequestsPerMinute = 1, UserTokensPerMinute = 1000, TenantTokensPerMinute = 2000 });
        var alice = fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "alice"));
        for (var i = 0; i < 3; i++) Assert.True((await alice.AdmitBackgroundAsync(0.5)).Allowed);
        Assert.True((await alice.TryAdmitAsync()).Allowed); // the one request a minute was not taken by background work

        await alice.ChargeTokensAsync(600); // user 400 of 1,000 left: below the half kept for interactive turns
        var waiting = await alice.AdmitBackgroundAsync(0.5);
        Assert.Equal((false, RateLimitDecision.UserScope, RateLimitDecision.TokensLimit), (waiting.Allowed, waiting.Scope, waiting.Limit));
        Assert.InRange(waiting.RetryAfterSeconds, 6, 7); // 100 tokens at 1,000 a minute
        RateLimitClusterFixture.Time.Advance(TimeSpan.FromSeconds(7));
        Assert.True((await alice.AdmitBackgroundAsync(0.5)).Allowed);

        // Another user's turns spend the tenant's tokens below its half: background work waits, interactive work does not.
        var bob = fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "bob"));
        await bob.ChargeTokensAsync(1000);
        var tenantWaiting = await alice.AdmitBackgroundAsync(0.5);
        Assert.Equal((false, RateLimitDecision.TenantScope), (tenantWaiting.Allowed, tenantWaiting.Scope));
        Assert.True((await fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "carol")).TryAdmitAsync()).Allowed);
    }
}
