using Npgsql;

namespace Conversations.Knowledge.Tests.Postgres;

/// <summary>A new tenant's first uploads can arrive together: both must find (or make) the tenant's partition.</summary>
public sealed class PartitionRaceTests(KnowledgeCluster app) : PostgresTests
{
    [Fact(DisplayName = "Two transactions that both create a new tenant's chunk partition both succeed, the second after the first commits")]
    public async Task Concurrent_first_uploads_share_the_partition()
    {
        var tenant = TestIds.Tenant("race");
        await app.CreateTenantAsync(tenant);
        await using var first = await app.Database.DataSource.OpenConnectionAsync();
        await using var second = await app.Database.DataSource.OpenConnectionAsync();
        await using var firstTx = await first.BeginTransactionAsync();
        var created = await EnsureAsync(first, firstTx, tenant);

        // The second waits on the first's lock; it goes on only once the first has committed its new table.
        await using var secondTx = await second.BeginTransactionAsync();
        var waiting = EnsureAsync(second, secondTx, tenant);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        await firstTx.CommitAsync();
        Assert.Equal(created, await waiting);
        await secondTx.CommitAsync();
    }

    private static async Task<string> EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenant)
    {
        await using var cmd = new NpgsqlCommand("SELECT kb_ensure_partition(384, @t)", connection, tx);
        cmd.Parameters.AddWithValue("t", tenant);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
