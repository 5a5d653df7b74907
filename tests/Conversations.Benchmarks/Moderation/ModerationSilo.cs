using Orleans.Runtime.MembershipService.SiloMetadata;
using Conversations.Grains.Moderation;
using Conversations.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conversations.Benchmarks.Moderation;

/// <summary>One in-process silo with the platform's moderation services on a scratch PostgreSQL database, as an API host in "all" mode runs them.</summary>
internal sealed class ModerationSilo(IHost host, TestDatabase database) : IAsyncDisposable
{
    /// <summary>The silo's services (grain factory, ITurnModeration, …).</summary>
    public IServiceProvider Services => host.Services;

    /// <summary>The silo's grain factory: calls take the same path as an API request in "all" mode.</summary>
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Creates the database, starts the silo on free loopback ports.</summary>
    public static async Task<ModerationSilo> StartAsync()
    {
        var database = await TestDatabase.CreateAsync("bench");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database.ConnectionString })
            .Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPlatformServices(configuration);
        builder.Services.AddModeration(configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(PlatformProcess.FreePort(), PlatformProcess.FreePort(), serviceId: "bench", clusterId: "bench-" + Guid.NewGuid().ToString("n")[..6]);
            silo.AddMemoryGrainStorage(HostingExtensions.GrainStorageName);
            silo.UseSiloMetadata(); // the zone placement filter of the user grains needs it
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ModerationSilo(host, database);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        await database.DisposeAsync();
    }
}
