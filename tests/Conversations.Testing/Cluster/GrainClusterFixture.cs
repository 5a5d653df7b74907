using Microsoft.Extensions.DependencyInjection;

namespace Conversations.Testing.Cluster;

/// <summary>
/// An Orleans test cluster of in-process silos wired by the hosts' own calls (<see cref="PlatformSilo"/>), with grain
/// state and the stores on a scratch PostgreSQL database. A project's fixture adds a feature's silo configurator
/// (its <c>AddXxx</c>), or replaces the silo and the database altogether.
/// </summary>
public class GrainClusterFixture : IAsyncLifetime
{
    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The scratch database (none when <see cref="DatabasePrefix"/> is null).</summary>
    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The cluster's grain factory.</summary>
    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>Each silo's services.</summary>
    public IReadOnlyList<IServiceProvider> SiloServices { get; private set; } = [];

    /// <summary>The first silo's services (stores, retriever, …).</summary>
    public IServiceProvider Services => SiloServices[0];

    /// <summary>Each silo's own grain factory: calls through them act like separate API hosts in "all" mode.</summary>
    public IReadOnlyList<IGrainFactory> SiloFactories { get; private set; } = [];

    /// <summary>How many silos the cluster starts with.</summary>
    protected virtual short InitialSilos => 2;

    /// <summary>Prefix of the scratch database's name; null for a cluster without a database.</summary>
    protected virtual string? DatabasePrefix => "grain";

    /// <summary>Adds the silo configurators: the platform's silo by default.</summary>
    protected virtual void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<PlatformSilo>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(InitialSilos);
        if (DatabasePrefix is { } prefix)
        {
            Database = await TestDatabase.CreateAsync(prefix);
            // The silos read it as the hosts do, from their configuration.
            builder.Properties[$"ConnectionStrings:{HostingExtensions.ConnectionStringName}"] = Database.ConnectionString;
            builder.Properties["Encryption:MasterKeyFile"] = TestKeys.MasterKeyFile;
        }
        Configure(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        SiloServices = Cluster.Silos.OfType<InProcessSiloHandle>().Select(s => s.SiloHost.Services).ToList();
        SiloFactories = SiloServices.Select(s => s.GetRequiredService<IGrainFactory>()).ToList();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}
