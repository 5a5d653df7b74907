using Conversations.Storage.Database;
using Npgsql;

namespace Conversations.Moderation.IntegrationTests.Infrastructure;

/// <summary>A scratch database on the local PostgreSQL (deploy/local-db.sh), migrated, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The local server, overridable by CONVERSATIONS_TEST_PG.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CONVERSATIONS_TEST_PG") is { Length: > 0 } cs ? cs
            : "Host=127.0.0.1;Port=54329;Database=conversations;Username=conversations;Password=conversations";

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database name.</summary>
    public string Name { get; }

    /// <summary>Connection string to the scratch database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates and migrates a new scratch database.</summary>
    public static async Task<TestDatabase> CreateAsync(string prefix)
    {
        var name = $"mod_{prefix}_{Guid.NewGuid():n}"[..30];
        var cs = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
        await SchemaMigrator.ApplyAsync(cs);
        return new TestDatabase(name, cs);
    }

    /// <summary>A data source on the scratch database.</summary>
    public NpgsqlDataSource CreateDataSource() => DataSourceFactory.Create(ConnectionString);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var c = new NpgsqlConnection(admin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }
}
