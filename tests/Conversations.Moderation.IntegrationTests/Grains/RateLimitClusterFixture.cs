using Conversations.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;

namespace Conversations.Moderation.IntegrationTests.Grains;

/// <summary>A clock that moves only when a test moves it, so bucket refills cannot blur exact counts.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Two in-process silos with in-memory grain storage and a stopped rate-limit clock (rate limits need no database).</summary>
public sealed class RateLimitClusterFixture : GrainClusterFixture
{
    /// <summary>The clock every silo's rate-limit grains read.</summary>
    public static ManualTime Time { get; } = new(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero));

    /// <inheritdoc />
    protected override string? DatabasePrefix => null;

    /// <inheritdoc />
    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<SiloConfigurator>();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddMemoryGrainStorage(HostingExtensions.GrainStorageName);
            // The rate-limit grains prefer the caller's zone: their placement filter needs the silo metadata.
            silo.UseSiloMetadata();
            silo.Services.AddSingleton(new RateLimitClock(Time));
        }
    }
}

/// <summary>Tests sharing the two-silo cluster.</summary>
[CollectionDefinition(Name)]
public sealed class RateLimitClusterCollection : ICollectionFixture<RateLimitClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "rate-limit-cluster";
}
