using Npgsql;

namespace Conversations.Benchmarks.Knowledge;

/// <summary>
/// Bulk load of a chunk table: the HNSW index is dropped before the rows go in and built once afterwards with
/// <c>CREATE INDEX</c>, from the definition the migration gave it (read back with <c>pg_get_indexdef</c>, so the
/// rebuilt index is the production one: same opclass, m and ef_construction, on the partitioned parent).
/// Inserting into a graph row by row costs a graph search per row; one build sorts out the graph in memory.
/// </summary>
internal sealed class HnswBulkBuild
{
    private readonly NpgsqlDataSource _db;
    private readonly string _definition;
    private readonly string _name;

    private HnswBulkBuild(NpgsqlDataSource db, string name, string definition) => (_db, _name, _definition) = (db, name, definition);

    /// <summary>Drops the HNSW index of <paramref name="table"/> (every partition's with it) and remembers its definition.</summary>
    public static async Task<HnswBulkBuild> DropAsync(NpgsqlDataSource db, string table)
    {
        await using var find = db.CreateCommand("""
            SELECT c.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
            WHERE i.indrelid = @table::regclass AND a.amname = 'hnsw'
            """);
        find.Parameters.AddWithValue("table", table);
        string name, definition;
        await using (var r = await find.ExecuteReaderAsync())
        {
            if (!await r.ReadAsync()) throw new InvalidOperationException($"{table} has no HNSW index to drop.");
            (name, definition) = (r.GetString(0), r.GetString(1));
        }
        await using var drop = db.CreateCommand($"DROP INDEX {name}");
        await drop.ExecuteNonQueryAsync();
        return new HnswBulkBuild(db, name, definition);
    }

    /// <summary>
    /// Re-creates the index on the parent, which builds every partition's graph; <paramref name="memory"/> is the
    /// session's maintenance_work_mem (the graph is built in memory while it fits) and <paramref name="workers"/> the
    /// parallel workers besides the leader. pgvector's notices (e.g. the graph outgrowing the memory) are written out.
    /// </summary>
    /// <param name="memory">maintenance_work_mem of the build, e.g. <c>4GB</c>.</param>
    /// <param name="workers">max_parallel_maintenance_workers of the build.</param>
    /// <param name="output">Where the statement and pgvector's notices are written.</param>
    /// <param name="storage">Storage parameters to build with instead of the migration's (e.g. <c>m = 24, ef_construction = 128</c>), to measure an alternative; null keeps them.</param>
    public async Task<TimeSpan> BuildAsync(string memory, int workers, string? storage, TextWriter output)
    {
        await using var connection = await _db.OpenConnectionAsync();
        connection.Notice += (_, e) => output.WriteLine($"  postgres: {e.Notice.MessageText}");
        await using (var set = new NpgsqlCommand(
            $"SET maintenance_work_mem = '{memory}'; SET max_parallel_maintenance_workers = {workers}", connection))
            await set.ExecuteNonQueryAsync();
        // pg_get_indexdef writes a partitioned index as "ON ONLY parent"; without ONLY it recurses into the partitions.
        var create = _definition.Replace(" ON ONLY ", " ON ", StringComparison.Ordinal);
        if (storage is not null) create = create[..create.LastIndexOf(" WITH (", StringComparison.Ordinal)] + $" WITH ({storage})";
        output.WriteLine($"  {create}");
        var sw = Stopwatch.StartNew();
        await using (var cmd = new NpgsqlCommand(create, connection) { CommandTimeout = 0 })
            await cmd.ExecuteNonQueryAsync();
        return sw.Elapsed;
    }

    /// <summary>Bytes of each index and of the heap of <paramref name="table"/> (a partition), largest first.</summary>
    public static async Task<List<(string Relation, long Bytes)>> SizesAsync(NpgsqlDataSource db, string table)
    {
        await using var cmd = db.CreateCommand("""
            SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index WHERE indrelid = @table::regclass
            UNION ALL SELECT @table || ' (heap + toast)', pg_table_size(@table::regclass)
            ORDER BY 2 DESC
            """);
        cmd.Parameters.AddWithValue("table", table);
        var sizes = new List<(string, long)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) sizes.Add((r.GetString(0), r.GetInt64(1)));
        return sizes;
    }

    /// <summary>The dropped index's name.</summary>
    public string Name => _name;
}
