using Microsoft.Extensions.Logging;
using Npgsql;

namespace Conversations.Hosting.Database;

/// <summary>Applies the embedded <c>sql/NNNN_*.sql</c> files in order, once each, recorded in <c>schema_version</c>.</summary>
public static class SchemaMigrator
{
    // Any fixed number: hosts starting together serialize on it so each file runs exactly once.
    private const long MigrationLockId = 0x436F6E7673;

    /// <summary>Creates the database if missing, then applies every migration not yet applied.</summary>
    public static async Task ApplyAsync(string connectionString, ILogger? logger = null, CancellationToken ct = default)
    {
        await EnsureDatabaseAsync(connectionString, ct);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Exec(connection, tx, $"SELECT pg_advisory_xact_lock({MigrationLockId})", ct);
        await Exec(connection, tx,
            "CREATE TABLE IF NOT EXISTS schema_version (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", ct);

        var applied = new HashSet<string>();
        await using (var cmd = new NpgsqlCommand("SELECT version FROM schema_version", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));

        foreach (var (version, sql) in Migrations())
        {
            if (applied.Contains(version)) continue;
            await Exec(connection, tx, sql, ct);
            await using var mark = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES (@v)", connection, tx);
            mark.Parameters.AddWithValue("v", version);
            await mark.ExecuteNonQueryAsync(ct);
            logger?.LogInformation("Applied schema migration {Version}", version);
        }
        await tx.CommitAsync(ct);
        // Types created by migrations (vector) must be visible to connections opened after this.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>The embedded migrations, ordered by file name.</summary>
    public static IEnumerable<(string Version, string Sql)> Migrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("sql/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (Path.GetFileNameWithoutExtension(name), reader.ReadToEnd());
        }
    }

    private static async Task EnsureDatabaseAsync(string connectionString, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var database = builder.Database ?? throw new InvalidOperationException("The connection string names no database.");
        builder.Database = "postgres";
        builder.Pooling = false;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @d", connection);
        exists.Parameters.AddWithValue("d", database);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another host created it first.
        }
    }

    private static async Task Exec(NpgsqlConnection c, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx) { CommandTimeout = 300 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
