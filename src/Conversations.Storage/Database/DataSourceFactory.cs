using Npgsql;

namespace Conversations.Storage.Database;

/// <summary>Builds the one pooled data source a process uses, with pgvector types mapped.</summary>
public static class DataSourceFactory
{
    /// <summary>Creates the data source; call after the schema migration (<c>SchemaMigrator</c> in Conversations.Hosting) so the vector type exists.</summary>
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Every turn runs the same few statements: prepare them on each pooled connection after their second use, so
        // PostgreSQL parses and plans them once per connection rather than on every turn. A connection string that sets
        // "Max Auto Prepare" itself (0 turns it off) wins.
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }
        builder.UseVector();
        // Metrics and traces name the pool by this, not by the connection string (host, port, database and user).
        builder.Name = "conversations";
        return builder.Build();
    }
}
