using Npgsql;

namespace Conversations.Storage.Database;

/// <summary>Builds the one pooled data source a process uses, with pgvector types mapped.</summary>
public static class DataSourceFactory
{
    /// <summary>Creates the data source; call after <see cref="SchemaMigrator.ApplyAsync"/> so the vector type exists.</summary>
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        return builder.Build();
    }
}
