using Conversations.Grains.Chat;

namespace Conversations.Testing.Cluster;

/// <summary>A silo as the hosts wire it, less the clustering: grain storage, the platform services and the chat turn.</summary>
public sealed class PlatformSilo : ISiloConfigurator
{
    /// <inheritdoc />
    public void Configure(ISiloBuilder silo)
    {
        var configuration = silo.Configuration;
        silo.AddPlatformGrainStorage(configuration.PostgresConnectionString());
        silo.Services.AddPlatformServices(configuration).AddChat(configuration);
    }
}
