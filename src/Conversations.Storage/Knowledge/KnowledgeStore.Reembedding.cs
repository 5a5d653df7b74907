using Npgsql;
using Pgvector;

namespace Conversations.Storage.Knowledge;

/// <summary>
/// Re-embedding after a model switch: the chunks another model embedded are read a batch at a time, document by
/// document, and written back with this store's model, in this store's table. Progress is the rows themselves (each
/// chunk says its model, each document says its model once all its chunks have it), so a stop anywhere loses at most
/// the batch in flight, and the next run goes on from what is still stale. Every statement is scoped by tenant.
/// </summary>
public sealed partial class KnowledgeStore
{
    /// <summary>The stale documents' ids and tables (by document id) and their first chunks not yet re-embedded, at most <paramref name="limit"/>.</summary>
    public async Task<StaleBatch> ReadStaleAsync(string tenantId, int limit, CancellationToken ct = default)
    {
        var documents = new List<StaleDocument>();
        await using (var cmd = _db.CreateCommand("""
            SELECT document_id, dimensions FROM kb_documents
            WHERE tenant_id = @t AND (embedding_model <> @model OR dimensions <> @dims) ORDER BY document_id LIMIT @n
            """))
        {
            AddModelParameters(cmd);
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("n", limit);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) documents.Add(new StaleDocument(r.GetString(0), r.GetInt32(1)));
        }
        var chunks = new List<StaleChunk>();
        if (documents.Count == 0) return new StaleBatch(documents, chunks);
        var key = await _keys.ForTenantAsync(tenantId, ct);
        foreach (var table in documents.GroupBy(d => d.Dimensions))
        {
            if (chunks.Count >= limit) break;
            // In this table a chunk is stale when another model made it; in another dimension's table, every chunk is.
            await using var cmd = _db.CreateCommand($"""
                SELECT document_id, chunk_index, content FROM {ChunkTable(table.Key)}
                WHERE tenant_id = @t AND document_id = ANY(@docs) {(table.Key == Dimensions ? "AND embedding_model <> @model" : "")}
                ORDER BY document_id, chunk_index LIMIT @n
                """);
            AddModelParameters(cmd);
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("docs", table.Select(d => d.DocumentId).ToArray());
            cmd.Parameters.AddWithValue("n", limit - chunks.Count);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var (doc, index, sealedText) = (r.GetString(0), r.GetInt32(1), r.GetString(2));
                chunks.Add(new StaleChunk(doc, index, table.Key, sealedText, key.Open(sealedText, "kb_chunks", ChunkRow(doc, index))));
            }
        }
        return new StaleBatch(documents, chunks);
    }

    /// <summary>
    /// Writes a batch's new vectors (same order as its chunks) in one transaction: a chunk in this table gets its new
    /// vector and model, one in another dimension's table moves here with it. A chunk whose text or model changed
    /// since it was read (a re-upload meanwhile) is left alone. Documents with no stale chunk left then say this model.
    /// Returns how many documents were finished.
    /// </summary>
    public async Task<int> WriteReembeddedAsync(string tenantId, StaleBatch batch, IReadOnlyList<float[]> vectors, CancellationToken ct = default)
    {
        if (vectors.Count != batch.Chunks.Count) throw new ArgumentException("One vector per chunk.", nameof(vectors));
        if (vectors.Any(v => v.Length != Dimensions)) throw new ArgumentException($"This store holds {Dimensions} dimensions.", nameof(vectors));
        await EnsurePartitionAsync(tenantId, ct);
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var batchCommand = new NpgsqlBatch(connection, tx);
        // Documents first, in id order: a re-upload of one of them waits for this batch or runs before it.
        batchCommand.BatchCommands.Add(Command("""
            SELECT 1 FROM kb_documents WHERE tenant_id = @t AND document_id = ANY(@docs) ORDER BY document_id FOR UPDATE
            """, tenantId, batch.DocumentIds));
        foreach (var from in batch.Chunks.Select((c, i) => (Chunk: c, Vector: vectors[i])).GroupBy(c => c.Chunk.Dimensions))
            foreach (var c in ChunkWrites(tenantId, from.Key, from.Select(x => x.Chunk).ToList(), from.Select(x => x.Vector).ToList()))
                batchCommand.BatchCommands.Add(c);
        var finishing = batch.Documents.Select(d => d.Dimensions).Distinct().ToList();
        foreach (var dims in finishing)
        {
            var leftThere = dims == Dimensions ? "" : $"AND NOT EXISTS (SELECT 1 FROM {ChunkTable(dims)} o WHERE o.tenant_id = @t AND o.document_id = d.document_id)";
            batchCommand.BatchCommands.Add(Command($"""
                UPDATE kb_documents d SET embedding_model = @model, dimensions = @dims
                WHERE d.tenant_id = @t AND d.document_id = ANY(@docs) AND d.dimensions = {dims} AND (d.embedding_model <> @model OR d.dimensions <> @dims)
                  AND NOT EXISTS (SELECT 1 FROM {_chunks} c WHERE c.tenant_id = @t AND c.document_id = d.document_id AND c.embedding_model <> @model)
                  {leftThere}
                """, tenantId, batch.DocumentIds));
        }
        await batchCommand.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        var commands = batchCommand.BatchCommands;
        return Enumerable.Range(commands.Count - finishing.Count, finishing.Count).Sum(i => commands[i].RecordsAffected);
    }

    // The statements that give chunks read from the table of dimension <paramref name="from"/> their new vectors here.
    private IEnumerable<NpgsqlBatchCommand> ChunkWrites(string tenantId, int from, IReadOnlyList<StaleChunk> chunks, IReadOnlyList<float[]> vectors)
    {
        const string rows = "unnest(@docs, @idx, @sealed, @emb) AS u(d, i, s, e)";
        if (from == Dimensions)
        {
            yield return WithChunks(Command($"""
                UPDATE {_chunks} c SET embedding = u.e, embedding_model = @model FROM {rows}
                WHERE c.tenant_id = @t AND c.document_id = u.d AND c.chunk_index = u.i AND c.content = u.s AND c.embedding_model <> @model
                """, tenantId, null), chunks, vectors);
            yield break;
        }
        var old = ChunkTable(from);
        yield return WithChunks(Command($"""
            INSERT INTO {_chunks} (tenant_id, document_id, chunk_index, label_id, content, lexical_extra, tsv, embedding, embedding_model)
            SELECT o.tenant_id, o.document_id, o.chunk_index, o.label_id, o.content, o.lexical_extra, o.tsv, u.e, @model
            FROM {rows} JOIN {old} o ON o.tenant_id = @t AND o.document_id = u.d AND o.chunk_index = u.i AND o.content = u.s
            ON CONFLICT DO NOTHING
            """, tenantId, null), chunks, vectors);
        yield return WithChunks(Command($"""
            DELETE FROM {old} o USING {rows}
            WHERE o.tenant_id = @t AND o.document_id = u.d AND o.chunk_index = u.i AND o.content = u.s
            """, tenantId, null), chunks, vectors);
    }

    private NpgsqlBatchCommand Command(string sql, string tenantId, IReadOnlyList<string>? documentIds)
    {
        var c = new NpgsqlBatchCommand(sql);
        c.Parameters.AddWithValue("t", tenantId);
        c.Parameters.AddWithValue("model", EmbeddingModel);
        c.Parameters.AddWithValue("dims", Dimensions);
        if (documentIds is not null) c.Parameters.AddWithValue("docs", documentIds.ToArray());
        return c;
    }

    private static NpgsqlBatchCommand WithChunks(NpgsqlBatchCommand c, IReadOnlyList<StaleChunk> chunks, IReadOnlyList<float[]> vectors)
    {
        c.Parameters.AddWithValue("docs", chunks.Select(x => x.DocumentId).ToArray());
        c.Parameters.AddWithValue("idx", chunks.Select(x => x.ChunkIndex).ToArray());
        c.Parameters.AddWithValue("sealed", chunks.Select(x => x.Sealed).ToArray());
        c.Parameters.AddWithValue("emb", vectors.Select(v => new Vector(v)).ToArray());
        return c;
    }

    /// <summary>How many of the tenant's documents and chunks are not yet embedded with this store's model.</summary>
    public async Task<EmbeddingBacklog> BacklogAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand($"""
            SELECT count(*) FILTER (WHERE stale > 0)::int, coalesce(sum(stale), 0)::bigint
            FROM (SELECT {_staleChunks} AS stale FROM kb_documents d
                  WHERE d.tenant_id = @t AND (d.embedding_model <> @model OR d.dimensions <> @dims)) s
            """);
        AddModelParameters(cmd);
        cmd.Parameters.AddWithValue("t", tenantId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new EmbeddingBacklog(r.GetInt32(0), r.GetInt64(1));
    }

    /// <summary>
    /// The tenants with a document not yet embedded with this store's model: ids only, for the background work that
    /// then goes through each tenant's own grain.
    /// </summary>
    public async Task<IReadOnlyList<string>> TenantsWithStaleDocumentsAsync(CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand(
            "SELECT DISTINCT tenant_id FROM kb_documents WHERE embedding_model <> @model OR dimensions <> @dims ORDER BY tenant_id");
        AddModelParameters(cmd);
        var tenants = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) tenants.Add(r.GetString(0));
        return tenants;
    }

    /// <summary>The other dimensions whose chunk tables still hold chunks of the tenant (documents embedded at them).</summary>
    public async Task<IReadOnlyList<int>> OtherDimensionsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("SELECT DISTINCT dimensions FROM kb_documents WHERE tenant_id = @t AND dimensions <> @dims ORDER BY 1");
        AddModelParameters(cmd);
        cmd.Parameters.AddWithValue("t", tenantId);
        var dims = new List<int>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) dims.Add(r.GetInt32(0));
        return dims;
    }

    // This table, or this table and the other dimensions' ones as one row source (the columns every table has).
    private string ChunkSource(IReadOnlyList<int>? otherDimensions, string? extraColumn = null)
    {
        if (otherDimensions is not { Count: > 0 }) return _chunks;
        var columns = "tenant_id, document_id, chunk_index, label_id, content" + (extraColumn is null ? "" : ", " + extraColumn);
        return "(" + string.Join(" UNION ALL ", otherDimensions.Prepend(Dimensions).Distinct().Select(d => $"SELECT {columns} FROM {ChunkTable(d)}")) + ")";
    }

    // The dimension the document's chunks were embedded at, its row locked for the caller's transaction; null when new.
    private static async Task<int?> LockDimensionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, string documentId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT dimensions FROM kb_documents WHERE tenant_id = @t AND document_id = @d FOR UPDATE", connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("d", documentId);
        return await cmd.ExecuteScalarAsync(ct) is int dims ? dims : null;
    }
}
