using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Conversations.Hosting.Database;

/// <summary>Applies the schema at start-up, before Orleans reads its tables.</summary>
internal sealed class SchemaMigrationService(string connectionString, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SchemaMigrator.ApplyAsync(connectionString, logger, cancellationToken);
                return;
            }
            catch (NpgsqlException e) when (attempt < 10 && e.IsTransient)
            {
                // The database may still be starting (containers): wait and retry instead of failing the host.
                logger.LogWarning("Database not reachable yet ({Message}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
