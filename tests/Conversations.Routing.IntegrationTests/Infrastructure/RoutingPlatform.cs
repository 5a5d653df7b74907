namespace Conversations.Routing.IntegrationTests.Infrastructure;

/// <summary>
/// One platform process on a scratch database, talking to a local OpenAI-compatible test model server, with short
/// breaker and cache timings so outages and recoveries happen within a test.
/// </summary>
public sealed class RoutingPlatform() : ModelPlatformHost("routing", OperatorKey)
{
    /// <summary>The operator key of the process.</summary>
    public const string OperatorKey = "cvk_routingop_routing-operator-secret";

    /// <summary>How long an open circuit waits before its probe.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    /// <summary>Time after an admin edit before every turn sees it (config cache lifetime plus margin).</summary>
    public static readonly TimeSpan ConfigSettle = TimeSpan.FromMilliseconds(400);

    /// <summary>The test model server's options: every model name answers, each can get its own faults.</summary>
    protected override TestModelOptions ModelOptions => new()
    {
        Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2) },
    };

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        ShortTimings.Apply(environment);
        environment["Models__Chat__FirstTokenTimeout"] = "00:00:02.5";
        // Stall faults hold for 10 s; a second's gap between tokens happens on a loaded 2-core runner (GC, PostgreSQL
        // fsync), and a test not about stalls then saw its answer continued by the other model.
        environment["Models__Chat__StallTimeout"] = "00:00:03";
        environment["Routing__HealthCacheTtl"] = "00:00:00.2";
        environment["Routing__BreakDuration"] = "00:00:02";
        environment["Routing__ConsecutiveFailureThreshold"] = "3";
        environment["Images__MaxBytesPerTenant"] = ImageBytesPerTenant.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Chat__HeartbeatSeconds"] = HeartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Routing__BatchJobsRunningPerTenant"] = BatchJobsRunning.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Routing__BatchJobsQueuedPerTenant"] = BatchJobsQueued.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Batch jobs of one tenant that run at once here.</summary>
    public const int BatchJobsRunning = 2;

    /// <summary>Unfinished batch jobs one tenant may hold here.</summary>
    public const int BatchJobsQueued = 6;

    /// <summary>Bytes of images one tenant may store here (small, so a test reaches it).</summary>
    public const long ImageBytesPerTenant = 300_000;

    /// <summary>Seconds of stream silence before a keep-alive (a slow first token).</summary>
    public const double HeartbeatSeconds = 0.25;

    /// <summary>
    /// A new tenant with an admin and a user "alice", and models "small" and "large" whose names at the test server are
    /// unique to this tenant (so one test's faults and circuits never touch another's). Prices are USD per million tokens.
    /// <paramref name="tenantId"/> and <paramref name="serverSuffix"/> name them instead (a tenant of an id used before).
    /// </summary>
    public async Task<TestTenant> NewTenantAsync(decimal smallPrice = 0.5m, decimal largePrice = 5m, string? tenantId = null, string? serverSuffix = null)
    {
        tenantId ??= TestIds.Tenant("r");
        using var op = Operator();
        var admin = As(await op.CreateTenantAsync(tenantId));
        var tenant = new TestTenant(this, tenantId, admin, As(await admin.CreateUserWithKeyAsync("alice")), serverSuffix ?? tenantId[2..10]);
        await tenant.PutModelAsync("small", "small", smallPrice);
        await tenant.PutModelAsync("large", "large", largePrice);
        return tenant;
    }
}

/// <summary>Tests sharing one routing platform process.</summary>
[CollectionDefinition(Name)]
public sealed class RoutingCollection : ICollectionFixture<RoutingPlatform>
{
    /// <summary>The collection name.</summary>
    public const string Name = "routing-platform";
}

/// <summary>A test class of the <see cref="RoutingCollection"/>: deriving from it is how a class joins the collection.</summary>
[Collection(RoutingCollection.Name)]
public abstract class RoutingPlatformTests;
