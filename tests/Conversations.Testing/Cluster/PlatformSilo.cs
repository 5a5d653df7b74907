using Conversations.Grains.Chat;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Conversations.Testing.Cluster;

/// <summary>A silo as the hosts wire it, less the clustering: grain storage, the platform services and the chat turn.</summary>
public sealed class PlatformSilo : ISiloConfigurator
{
    /// <inheritdoc />
    public void Configure(ISiloBuilder silo)
    {
        var configuration = silo.Configuration;
        silo.AddPlatformGrainStorage(configuration.PostgresConnectionString());
        // Conversation and user grains prefer the caller's zone: their placement filter needs the silo metadata.
        silo.UseSiloMetadata();
        silo.Services.AddPlatformServices(configuration).AddChat(configuration);
    }
}
