using Conversations.Contracts.Health;
using Npgsql;

namespace Conversations.Grains.ReadServices;

/// <summary>One <c>SELECT 1</c> on a pooled connection of the platform's data source.</summary>
internal sealed class DatabaseProbe(NpgsqlDataSource db) : IDatabaseProbe
{
    /// <inheritdoc />
    public async Task PingAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT 1");
        await cmd.ExecuteScalarAsync(ct);
    }
}
