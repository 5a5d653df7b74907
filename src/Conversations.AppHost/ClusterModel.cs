using Microsoft.Extensions.Configuration;

namespace Conversations.AppHost;

/// <summary>The resources of the cluster: database, silos and the API host, wired as the compose file wires them.</summary>
internal static class ClusterModel
{
    /// <summary>Resource name of the PostgreSQL connection string; hosts read it as <c>ConnectionStrings:Postgres</c>.</summary>
    public const string Postgres = "postgres";
    /// <summary>Resource name of the step that starts the local PostgreSQL.</summary>
    public const string Database = "database";
    /// <summary>Resource name of the API host.</summary>
    public const string Api = "api";
    /// <summary>Name of each silo's management endpoint (metrics, health, the Orleans dashboard).</summary>
    public const string Management = "management";

    /// <summary>The resource name of silo <paramref name="index"/> (from 1).</summary>
    public static string SiloName(int index) => $"silo-{index}";

    /// <summary>Adds the database, <c>Silos</c> silos (default 2) and the API host on <c>ApiPort</c> (default 8080).</summary>
    public static void AddConversationsCluster(this IDistributedApplicationBuilder builder)
    {
        var repo = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
        var siloCount = builder.Configuration.GetValue("Silos", 2);
        if (siloCount < 1) throw new InvalidOperationException($"Silos must be 1 or more, not {siloCount}.");
        // One master key file for every host, where deploy/run-local.sh keeps it; the first silo creates it when missing.
        var masterKey = builder.Configuration["Encryption:MasterKeyFile"] ?? Path.Combine(repo, ".local", "master.key");

        var (postgres, databaseStart) = AddPostgres(builder, repo);
        var silos = new List<IResourceBuilder<ProjectResource>>();
        for (var i = 1; i <= siloCount; i++)
        {
            var silo = builder.AddProject<Projects.Conversations_Silo>(SiloName(i), launchProfileName: null)
                .WithHostSettings(builder, postgres, masterKey)
                // Orleans ports picked free by the orchestrator; the silo advertises them in the membership table.
                .WithEndpoint(name: "orleans-silo", scheme: "tcp", env: "Orleans__SiloPort", isProxied: false)
                .WithEndpoint(name: "orleans-gateway", scheme: "tcp", env: "Orleans__GatewayPort", isProxied: false)
                .WithHttpEndpoint(name: Management, env: "Telemetry__MetricsPort")
                .WithEnvironment("Telemetry__MetricsAddress", "127.0.0.1")
                .WithHttpHealthCheck("/readyz", endpointName: Management)
                .WithUrlForEndpoint(Management, url => { url.Url += "/dashboard/"; url.DisplayText = "Orleans dashboard"; });
            if (databaseStart is not null) silo.WaitForCompletion(databaseStart);
            // The first silo migrates the schema and creates the master key; the others start once it is ready.
            if (silos.Count > 0) silo.WaitFor(silos[0]);
            silos.Add(silo);
        }

        var api = builder.AddProject<Projects.Conversations_Api>(Api, launchProfileName: null)
            .WithHostSettings(builder, postgres, masterKey)
            .WithEnvironment("Hosting__Mode", "client")
            .WithHttpEndpoint(port: builder.Configuration.GetValue("ApiPort", 8080), name: "http")
            .WithHttpHealthCheck("/readyz")
            .WithExternalHttpEndpoints();
        foreach (var silo in silos) api.WaitFor(silo);
    }

    // What every host reads: the database, the one master key file, and the AppHost's environment (Development gives
    // the API host the demo tenant and its keys, as deploy/run-local.sh does).
    private static IResourceBuilder<ProjectResource> WithHostSettings(this IResourceBuilder<ProjectResource> host,
        IDistributedApplicationBuilder builder, IResourceBuilder<IResourceWithConnectionString> postgres, string masterKey) =>
        host.WithReference(postgres)
            .WithEnvironment("Encryption__MasterKeyFile", masterKey)
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName);

    // ConnectionStrings:Postgres names an existing database; without it deploy/local-db.sh starts the local one.
    private static (IResourceBuilder<IResourceWithConnectionString> Postgres, IResourceBuilder<ExecutableResource>? Start) AddPostgres(
        IDistributedApplicationBuilder builder, string repo)
    {
        if (builder.Configuration.GetConnectionString("Postgres") is { Length: > 0 } existing)
            return (builder.AddConnectionString(Postgres, b => b.AppendLiteral(existing)), null);
        var port = builder.Configuration.GetValue("CONVERSATIONS_PG_PORT", 54329);
        var start = builder.AddExecutable(Database, "bash", repo, "deploy/local-db.sh", "start")
            .WithEnvironment("CONVERSATIONS_PG_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var postgres = builder.AddConnectionString(Postgres, b => b.AppendLiteral(
            $"Host=127.0.0.1;Port={port};Database=conversations;Username=conversations;Password=conversations"));
        return (postgres, start);
    }
}
