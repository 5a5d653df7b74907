using Conversations.Contracts;
using Conversations.Hosting.Database;
using Conversations.Storage.Database;
using Conversations.Storage.Tenancy;
using Npgsql;

namespace Conversations.Testing.Database;

/// <summary>A scratch database on the local PostgreSQL, migrated on create, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The local server the tests use (deploy/local-db.sh), overridable by CONVERSATIONS_TEST_PG.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CONVERSATIONS_TEST_PG") is { Length: > 0 } cs ? cs
            : "Host=127.0.0.1;Port=54329;Database=conversations;Username=conversations;Password=conversations";

    private NpgsqlDataSource? _dataSource;

    private readonly string _server;

    private TestDatabase(string name, string connectionString, string server)
    {
        Name = name;
        ConnectionString = connectionString;
        _server = server;
    }

    /// <summary>The database name.</summary>
    public string Name { get; }

    /// <summary>Connection string to the scratch database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates and migrates a new scratch database named after <paramref name="prefix"/> and a random suffix.</summary>
    public static Task<TestDatabase> CreateAsync(string prefix = "t") => CreateAsync(prefix, ServerConnectionString);

    /// <summary>Creates and migrates a new scratch database on the server of <paramref name="serverConnectionString"/> (a drill's own server).</summary>
    public static async Task<TestDatabase> CreateAsync(string prefix, string serverConnectionString)
    {
        var name = $"{prefix}_{Guid.NewGuid():n}"[..Math.Min(40, prefix.Length + 33)];
        var cs = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
        await SchemaMigrator.ApplyAsync(cs);
        return new TestDatabase(name, cs, serverConnectionString);
    }

    /// <summary>A data source on the scratch database, as the hosts build it (the caller disposes it).</summary>
    public NpgsqlDataSource CreateDataSource() => DataSourceFactory.Create(ConnectionString);

    /// <summary>One data source for the tests' own reads and writes, disposed with the database.</summary>
    public NpgsqlDataSource DataSource => _dataSource ??= CreateDataSource();

    /// <summary>Creates a tenant with a user "admin" straight in the database (no API involved); returns the admin's key.</summary>
    public async Task<string> CreateTenantAsync(string tenantId)
    {
        var store = new TenancyStore(DataSource);
        await store.CreateTenantAsync(tenantId, tenantId);
        await store.CreateUserAsync(tenantId, "admin", "Admin", Roles.TenantAdmin);
        return (await store.IssueKeyAsync(tenantId, "admin", Roles.TenantAdmin)).Key;
    }

    /// <summary>Creates a user of a tenant straight in the database; returns the user's key.</summary>
    public async Task<string> CreateUserAsync(string tenantId, string userId, string role = Roles.User)
    {
        var store = new TenancyStore(DataSource);
        await store.CreateUserAsync(tenantId, userId, userId, role);
        return (await store.IssueKeyAsync(tenantId, userId, role)).Key;
    }

    /// <summary>Runs <paramref name="sql"/> on the scratch database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Makes PostgreSQL refuse the inserts and updates of <paramref name="table"/> whose new row matches
    /// <paramref name="when"/> (a trigger condition on NEW), until the returned handle is disposed: a real write failure
    /// for a real process, limited to one test's rows.
    /// </summary>
    public async Task<IAsyncDisposable> RefuseWritesAsync(string table, string when)
    {
        var name = "refuse_" + Guid.NewGuid().ToString("n")[..12];
        await ExecuteAsync($"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
            CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}();
            """);
        return new Dropped(() => ExecuteAsync($"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();"));
    }

    private sealed class Dropped(Func<Task> drop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await drop();
    }

    /// <summary>Drops <paramref name="database"/> on the server of <paramref name="serverConnectionString"/>, closing its connections.</summary>
    public static async Task DropAsync(string serverConnectionString, string database)
    {
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var c = new NpgsqlConnection(admin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database.Replace("\"", "\"\"")}\" WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        await DropAsync(_server, Name);
    }
}
