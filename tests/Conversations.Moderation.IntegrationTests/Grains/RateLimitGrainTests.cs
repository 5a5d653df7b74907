using Conversations.Contracts;

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
            Assert.Equal(60, d.RetryAfterSeconds); // all 37 were taken at this instant: the window has room again in a minute
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
        Assert.Equal(60, refused.RetryAfterSeconds); // the 900 tokens leave the window a minute after they were charged
        RateLimitClusterFixture.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.False((await user.TryAdmitAsync()).Allowed);
        RateLimitClusterFixture.Time.Advance(TimeSpan.FromSeconds(1));
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

    [Fact(DisplayName = "A user limit of 20 a minute: 40 quick requests admit exactly 20, and no 60-second window admits more than 20")]
    public async Task User_limit_holds_over_every_minute_window()
    {
        var tenant = NewTenant();
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(new ModerationSettingsPatch { UserRequestsPerMinute = 20 });
        var admitted = await DemandAsync(i => GrainKeys.Scoped(tenant, "grace"));
        AssertNoWindowAbove(20, admitted);
    }

    [Fact(DisplayName = "A tenant limit of 30 a minute over 50 users: no 60-second window admits more than 30")]
    public async Task Tenant_limit_holds_over_every_minute_window()
    {
        var tenant = NewTenant();
        await fx.Cluster.Client.GetGrain<ITenantModerationGrain>(tenant).UpdateSettingsAsync(new ModerationSettingsPatch { UserRequestsPerMinute = 30, TenantRequestsPerMinute = 30 });
        var admitted = await DemandAsync(i => GrainKeys.Scoped(tenant, $"u{i % 50}"));
        AssertNoWindowAbove(30, admitted);
    }

    // 40 requests at once, then steady demand above the limit (4 requests every 5 s from several callers) for three minutes of moved time.
    private async Task<List<DateTimeOffset>> DemandAsync(Func<int, string> user)
    {
        var admitted = new List<DateTimeOffset>();
        var n = 0;
        var start = RateLimitClusterFixture.Time.GetUtcNow();
        async Task Round(int count)
        {
            var now = RateLimitClusterFixture.Time.GetUtcNow();
            var decisions = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
            {
                var i = Interlocked.Increment(ref n);
                return Caller(i).GetGrain<IUserRateLimitGrain>(user(i)).TryAdmitAsync();
            }));
            admitted.AddRange(decisions.Where(d => d.Allowed).Select(_ => now));
        }
        await Round(count: 40);
        while (RateLimitClusterFixture.Time.GetUtcNow() - start < TimeSpan.FromMinutes(3))
        {
            RateLimitClusterFixture.Time.Advance(TimeSpan.FromSeconds(5));
            await Round(count: 4);
        }
        return admitted;
    }

    private static void AssertNoWindowAbove(int limit, List<DateTimeOffset> admitted)
    {
        Assert.Equal(limit, admitted.Count(t => t == admitted[0]));
        for (int first = 0, last = 0; first < admitted.Count; first++)
        {
            while (last < admitted.Count && admitted[last] - admitted[first] < TimeSpan.FromMinutes(1)) last++;
            Assert.True(last - first <= limit, $"{last - first} admitted in the 60 s from {admitted[first]:T} (limit {limit})");
        }
        // Demand stayed above the limit, so each minute got its full share: three minutes, plus the round at 3:00 itself.
        Assert.InRange(admitted.Count, 3 * limit, 3 * limit + 4);
    }

    [Fact(DisplayName = "Background work takes no request and starts only while the user's and the tenant's token windows keep the reserved share")]
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
        Assert.InRange(waiting.RetryAfterSeconds, 59, 60); // the 600 tokens leave the 60-second window
        RateLimitClusterFixture.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.True((await alice.AdmitBackgroundAsync(0.5)).Allowed);

        // Another user's turns spend the tenant's tokens below its half: background work waits, interactive work does not.
        var bob = fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "bob"));
        await bob.ChargeTokensAsync(1200); // tenant 800 of 2,000 left: below its half
        var tenantWaiting = await alice.AdmitBackgroundAsync(0.5);
        Assert.Equal((false, RateLimitDecision.TenantScope), (tenantWaiting.Allowed, tenantWaiting.Scope));
        Assert.True((await fx.Cluster.Client.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, "carol")).TryAdmitAsync()).Allowed);
    }
}
