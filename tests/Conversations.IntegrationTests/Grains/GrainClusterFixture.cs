using Conversations.Grains.Chat;
using Conversations.Grains.Hosting;
using Conversations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Conversations.IntegrationTests.Grains;

/// <summary>An Orleans test cluster (two in-process silos) with grain storage and our stores on a scratch PostgreSQL database.</summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    // The silo configurator is created by the test host, so the database reaches it through this field.
    private static string? s_connectionString;

    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The scratch database.</summary>
    public TestDatabase Database { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("grain");
        s_connectionString = Database.ConnectionString;
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var cs = s_connectionString!;
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = cs })
                .Build();
            silo.AddAdoNetGrainStorage("store", o => { o.Invariant = "Npgsql"; o.ConnectionString = cs; });
            silo.Services.AddPlatformServices(configuration);
            silo.Services.AddChat(configuration);
        }
    }
}

/// <summary>Grain tests sharing one test cluster.</summary>
[CollectionDefinition(Name)]
public sealed class GrainCollection : ICollectionFixture<GrainClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "grains";
}
