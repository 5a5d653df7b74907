using System.Net;
using Conversations.Grains.Chat;
using Conversations.Grains.Knowledge;
using Conversations.Grains.Images;
using Conversations.Grains.Moderation;
using Conversations.Grains.ReadServices;
using Conversations.Grains.Routing;
using Conversations.Hosting.Database;
using Conversations.Hosting.Encryption;
using Conversations.Hosting.GrainState;
using Conversations.Hosting.Telemetry;
using Conversations.Hosting.Zones;
using Conversations.Prompting.Tokens;
using Conversations.Storage.Chat;
using Conversations.Storage.Database;
using Conversations.Storage.Encryption;
using Conversations.Storage.Tenancy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Conversations.Hosting;

/// <summary>The one place the silo, the client and the shared services are wired.</summary>
public static class HostingExtensions
{
    /// <summary>Name of the connection string every host reads.</summary>
    public const string ConnectionStringName = "Postgres";
    /// <summary>Name of the grain storage every persistent grain state uses.</summary>
    public const string GrainStorageName = "store";
    private const string Invariant = "Npgsql";

    /// <summary>The PostgreSQL connection string, or a clear start-up error.</summary>
    public static string PostgresConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs ? cs
            : throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Locally, run `bash deploy/local-db.sh start` and use the printed string.");

    /// <summary>Services every host needs: the data source, the stores, token counting.</summary>
    public static IServiceCollection AddPlatformServices(this IServiceCollection services, IConfiguration configuration)
    {
        var cs = configuration.PostgresConnectionString();
        services.AddSingleton(_ => DataSourceFactory.Create(cs));
        services.AddEncryptionAtRest(configuration);
        services.AddSingleton<TenancyStore>();
        // One committer per data source: concurrent turns' message writes share transactions (Chat:GroupCommit).
        services.AddSingleton(sp => new GroupCommitter(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            configuration.GetSection(GroupCommitOptions.Section).Get<GroupCommitOptions>()));
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<UsageStore>();
        services.AddSingleton<ITokenCounter>(_ => new TokenCounter());
        services.AddApiReadServices();
        services.AddMessageImages(configuration);
        return services;
    }

    /// <summary>Runs the schema migrations before anything else starts (register before Orleans).</summary>
    public static IServiceCollection AddSchemaMigration(this IServiceCollection services, IConfiguration configuration)
    {
        var cs = configuration.PostgresConnectionString();
        services.AddHostedService(sp => new SchemaMigrationService(cs, sp.GetRequiredService<ILogger<SchemaMigrationService>>()));
        return services;
    }

    /// <summary>Makes this process a silo: ADO.NET clustering, grain storage and reminders on PostgreSQL, plus the grains' services.</summary>
    public static IHostApplicationBuilder AddConversationsSilo(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var cs = configuration.PostgresConnectionString();
        var orleans = configuration.GetSection(OrleansHostOptions.Section).Get<OrleansHostOptions>() ?? new OrleansHostOptions();

        builder.Services.AddSchemaMigration(configuration);
        builder.Services.AddPlatformServices(configuration);
        builder.Services.AddChat(configuration);
        builder.Services.AddKnowledge(configuration);
        builder.Services.AddModeration(configuration);
        builder.Services.AddModelRouting(configuration);
        builder.Services.AddPlatformTelemetry(configuration, "conversations-silo");

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = orleans.ClusterId; o.ServiceId = orleans.ServiceId; });
            silo.ConfigureEndpoints(IPAddress.Parse(orleans.AdvertisedAddress), orleans.SiloPort, orleans.GatewayPort, orleans.ListenOnAnyAddress);
            silo.UseAdoNetClustering(o => { o.Invariant = Invariant; o.ConnectionString = cs; });
            silo.AddPlatformGrainStorage(cs);
            silo.UseAdoNetReminderService(o => { o.Invariant = Invariant; o.ConnectionString = cs; });
            // Orleans:Membership tunes failure detection (ProbeTimeout, NumMissedProbesLimit, …; docs/scaling.md weighs them).
            silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
            // Orleans:GrainCollection tunes idle deactivation (CollectionAge, memory-pressure shedding; docs/scaling.md).
            silo.Services.Configure<GrainCollectionOptions>(configuration.GetSection("Orleans:GrainCollection"));
            if (orleans.FastFailureDetection) silo.Configure<ClusterMembershipOptions>(UseFastFailureDetection);
            // Orleans:Metadata (e.g. Orleans__Metadata__zone=zone-a) labels the silo for operators and placement filters;
            // the zone also leads the silo's name in the membership table, where API hosts pick their zone's gateways.
            silo.UseSiloMetadata();
            if (SiloZones.Of(configuration) is { } zone)
                silo.Configure<SiloOptions>(o => o.SiloName = SiloZones.SiloName(zone, Environment.MachineName, orleans.SiloPort));
            // Grain calls carry the trace context across silos when traces are exported.
            if (TelemetryServiceCollectionExtensions.OtlpEndpoint(configuration) is not null) silo.AddActivityPropagation();
        });
        return builder;
    }

    /// <summary>Makes this process an Orleans client of a silo cluster found through the ADO.NET membership table.</summary>
    public static IHostApplicationBuilder AddConversationsClient(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var cs = configuration.PostgresConnectionString();
        var orleans = configuration.GetSection(OrleansHostOptions.Section).Get<OrleansHostOptions>() ?? new OrleansHostOptions();
        builder.Services.AddSchemaMigration(configuration);
        builder.Services.AddPlatformServices(configuration);
        builder.Services.AddPlatformTelemetry(configuration, "conversations-api");
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = orleans.ClusterId; o.ServiceId = orleans.ServiceId; });
            client.UseAdoNetClustering(o => { o.Invariant = Invariant; o.ConnectionString = cs; });
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            // An API host with a zone prefers the gateways of its zone (all others when its zone has none).
            if (SiloZones.Of(configuration) is { } zone) PreferZoneGateways(client.Services, zone, orleans.ClusterId);
            if (TelemetryServiceCollectionExtensions.OtlpEndpoint(configuration) is not null) client.AddActivityPropagation();
        });
        return builder;
    }

    // Wraps the clustering provider's gateway list (registered by UseAdoNetClustering) in the zone filter.
    private static void PreferZoneGateways(IServiceCollection services, string zone, string clusterId)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IGatewayListProvider));
        services.Remove(registered);
        services.AddSingleton<IGatewayListProvider>(sp =>
        {
            var inner = registered.ImplementationFactory is { } factory ? (IGatewayListProvider)factory(sp)
                : registered.ImplementationInstance as IGatewayListProvider
                ?? (IGatewayListProvider)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!);
            return new ZoneGatewayListProvider(inner, zone, clusterId, sp.GetRequiredService<Npgsql.NpgsqlDataSource>());
        });
    }

    /// <summary>Grain state in PostgreSQL through the ADO.NET provider, under the storage name the grains ask for.</summary>
    /// <remarks>Tenants' grain state is sealed with their data keys on the way in (<see cref="SealedGrainStorage"/>).</remarks>
    public static ISiloBuilder AddPlatformGrainStorage(this ISiloBuilder silo, string connectionString)
    {
        const string rows = GrainStorageName + "-rows";
        var encryption = silo.Configuration.GetSection(EncryptionOptions.Section).Get<EncryptionOptions>() ?? new EncryptionOptions();
        silo.AddAdoNetGrainStorage(rows, o => { o.Invariant = Invariant; o.ConnectionString = connectionString; });
        silo.Services.AddSealedGrainStorage(GrainStorageName, rows, encryption.SealGrainState);
        silo.Services.AddGrainStateTypeNames().AddStoredStateTypes();
        return silo;
    }

    /// <summary>Declares a dead silo in about a second on loopback; for tests, too eager for real networks.</summary>
    public static void UseFastFailureDetection(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
    }
}
