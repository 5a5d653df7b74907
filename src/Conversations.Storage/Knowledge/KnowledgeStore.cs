using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Conversations.Contracts.Knowledge;
using Conversations.Storage.Encryption;
using Conversations.Storage.Audit;
using Npgsql;
using Pgvector;

[assembly: InternalsVisibleTo("Conversations.Knowledge.Tests")]

namespace Conversations.Storage.Knowledge;

/// <summary>
/// Labels, documents and chunks of the knowledge base in PostgreSQL + pgvector. Every statement is scoped by tenant,
/// and every search carries the caller's allowed labels in its WHERE clause. Chunks go to the table of this store's
/// embedding dimension (<c>kb_chunks_{dims}</c>), into the tenant's own partition. Document titles and chunk text are
/// sealed with the tenant's data key; embeddings and lexemes are computed from the plaintext and stay searchable.
/// Each chunk records the model that embedded it: the vector half of a search reads only this store's model's rows,
/// while chunks of an earlier model (in this table or another dimension's) still count for the full-text half until
/// they are re-embedded (<c>KnowledgeStore.Reembedding.cs</c>).
/// </summary>
public sealed partial class KnowledgeStore
{
    private readonly NpgsqlDataSource _db;
    private readonly TenantKeyRing _keys;
    private readonly string _chunks;
    private readonly ConcurrentDictionary<string, bool> _partitions = new(StringComparer.Ordinal);

    /// <summary>A store for embeddings of <paramref name="dimensions"/> dimensions made by <paramref name="embeddingModel"/>.</summary>
    public KnowledgeStore(NpgsqlDataSource db, TenantKeyRing keys, int dimensions, string embeddingModel)
    {
        _keys = keys;
        if (dimensions is < 1 or > 2000) throw new ArgumentOutOfRangeException(nameof(dimensions), "pgvector HNSW indexes 1..2000 dimensions.");
        ArgumentException.ThrowIfNullOrWhiteSpace(embeddingModel);
        _db = db;
        Dimensions = dimensions;
        EmbeddingModel = embeddingModel;
        _chunks = ChunkTable(dimensions);
        // A document's chunks not yet re-embedded: none when it says this model, else those not in this table with it.
        _staleChunks = $"""
            CASE WHEN d.embedding_model = @model AND d.dimensions = @dims THEN 0
                 ELSE d.chunk_count - (SELECT count(*) FROM {_chunks} c
                     WHERE c.tenant_id = d.tenant_id AND c.document_id = d.document_id AND c.embedding_model = @model)::int END
            """;
        _documentSelect = $"""
            SELECT d.document_id, d.title, d.label_id, l.name, d.content_hash, d.embedding_model, d.chunk_count, d.char_count, d.created_at, d.updated_at,
                {_staleChunks}
            FROM kb_documents d JOIN kb_labels l ON l.tenant_id = d.tenant_id AND l.label_id = d.label_id
            """;
    }

    private readonly string _staleChunks;
    private readonly string _documentSelect;

    /// <summary>Embedding dimension of the chunk table this store uses.</summary>
    public int Dimensions { get; }

    /// <summary>The model whose vectors this store writes and searches (<c>Models:Embeddings</c>).</summary>
    public string EmbeddingModel { get; }

    private static string ChunkTable(int dimensions) => $"kb_chunks_{dimensions}";

    private void AddModelParameters(NpgsqlCommand cmd)
    {
        cmd.Parameters.AddWithValue("model", EmbeddingModel);
        cmd.Parameters.AddWithValue("dims", Dimensions);
    }

    /// <summary>Creates the chunk table of this dimension when missing (start-up; the migration creates the 384 one).</summary>
    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("SELECT kb_ensure_chunk_table(@d)");
        cmd.Parameters.AddWithValue("d", Dimensions);
        cmd.CommandTimeout = 120;
        await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary>The label's per-tenant id, created on first use.</summary>
    public async Task<short> EnsureLabelAsync(string tenantId, string label, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("SELECT kb_ensure_label(@t, @n)");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("n", label);
        try { return (short)(await cmd.ExecuteScalarAsync(ct))!; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.NumericValueOutOfRange)
        {
            // Ids are never reused (chunks keep them), so the 32,768th label is out of range for good: say so, not a 500.
            throw new LabelLimitReachedException(label);
        }
    }

    /// <summary>The document's stored metadata, or null.</summary>
    public async Task<DocumentRecord?> GetDocumentAsync(string tenantId, string documentId, CancellationToken ct = default) =>
        (await GetDocumentsAsync(tenantId, [documentId], ct)).GetValueOrDefault(documentId);

    /// <summary>The stored metadata of those of <paramref name="documentIds"/> that exist, by id: one query for an upload.</summary>
    public async Task<Dictionary<string, DocumentRecord>> GetDocumentsAsync(string tenantId, IReadOnlyCollection<string> documentIds, CancellationToken ct = default)
    {
        var found = new Dictionary<string, DocumentRecord>(StringComparer.Ordinal);
        if (documentIds.Count == 0) return found;
        await using var cmd = _db.CreateCommand(_documentSelect + " WHERE d.tenant_id = @t AND d.document_id = ANY(@ids)");
        AddModelParameters(cmd);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("ids", documentIds.ToArray());
        var key = await _keys.ForTenantAsync(tenantId, ct);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var document = ReadDocument(r, key);
            found[document.DocumentId] = document;
        }
        return found;
    }

    /// <summary>Documents of the tenant by id, after <paramref name="afterDocumentId"/>.</summary>
    public async Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(string tenantId, string? afterDocumentId, int limit, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand(_documentSelect + " WHERE d.tenant_id = @t AND d.document_id > @a ORDER BY d.document_id LIMIT @l");
        AddModelParameters(cmd);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("a", afterDocumentId ?? "");
        cmd.Parameters.AddWithValue("l", limit);
        var key = await _keys.ForTenantAsync(tenantId, ct);
        var list = new List<DocumentRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadDocument(r, key));
        return list;
    }

    /// <summary>
    /// Writes a document and replaces its chunks in one transaction: upsert the row, delete the old chunks, then one
    /// insert of the new ones from arrays (never a round trip per chunk). The insert computes each chunk's lexemes from
    /// its plaintext, which is a parameter only: what is stored is the sealed text.
    /// </summary>
    public async Task ReplaceDocumentAsync(string tenantId, StoredDocument document, IReadOnlyList<StoredChunk> chunks, AuditWrite? audit = null, CancellationToken ct = default)
    {
        foreach (var c in chunks)
            if (c.Embedding.Length != Dimensions)
                throw new ArgumentException($"Chunk {c.ChunkIndex} has {c.Embedding.Length} dimensions; this store holds {Dimensions}.");
        try
        {
            await ReplaceDocumentOnceAsync(tenantId, document, chunks, audit, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && _partitions.TryRemove(tenantId, out _))
        {
            // "No partition for the row": the tenant was deleted (its partition with it) after this store saw the
            // partition, and a tenant of the same id was created again. Its partition is made anew.
            await ReplaceDocumentOnceAsync(tenantId, document, chunks, audit, ct);
        }
    }

    private async Task ReplaceDocumentOnceAsync(string tenantId, StoredDocument document, IReadOnlyList<StoredChunk> chunks, AuditWrite? audit, CancellationToken ct)
    {
        await EnsurePartitionAsync(tenantId, ct);
        var key = await _keys.ForTenantAsync(tenantId, ct);
        var lexemes = await KeyedLexemesAsync(key, chunks, ct);
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var earlier = await LockDimensionsAsync(connection, tx, tenantId, document.DocumentId, ct);
        var batch = new NpgsqlBatch(connection, tx);
        await using (batch)
        {
            var upsert = new NpgsqlBatchCommand("""
                INSERT INTO kb_documents (tenant_id, document_id, title, label_id, content_hash, embedding_model, dimensions, chunk_count, char_count)
                VALUES (@t, @d, @title, @l, @h, @m, @dims, @n, @chars)
                ON CONFLICT (tenant_id, document_id) DO UPDATE SET title = EXCLUDED.title, label_id = EXCLUDED.label_id,
                    content_hash = EXCLUDED.content_hash, embedding_model = EXCLUDED.embedding_model, dimensions = EXCLUDED.dimensions,
                    chunk_count = EXCLUDED.chunk_count, char_count = EXCLUDED.char_count, updated_at = now()
                """);
            upsert.Parameters.AddWithValue("t", tenantId);
            upsert.Parameters.AddWithValue("d", document.DocumentId);
            upsert.Parameters.AddWithValue("title", key.Seal(document.Title, "kb_documents", document.DocumentId));
            upsert.Parameters.AddWithValue("l", document.LabelId);
            upsert.Parameters.AddWithValue("h", document.ContentHash);
            upsert.Parameters.AddWithValue("m", document.EmbeddingModel);
            upsert.Parameters.AddWithValue("dims", Dimensions);
            upsert.Parameters.AddWithValue("n", chunks.Count);
            upsert.Parameters.AddWithValue("chars", document.CharCount);
            batch.BatchCommands.Add(upsert);
            // The old chunks, here and in the table of the dimension they were embedded at before.
            foreach (var table in new[] { _chunks, ChunkTable(earlier ?? Dimensions) }.Distinct())
            {
                var delete = new NpgsqlBatchCommand($"DELETE FROM {table} WHERE tenant_id = @t AND document_id = @d");
                delete.Parameters.AddWithValue("t", tenantId);
                delete.Parameters.AddWithValue("d", document.DocumentId);
                batch.BatchCommands.Add(delete);
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
        if (chunks.Count > 0)
        {
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO {_chunks} (tenant_id, document_id, chunk_index, label_id, content, lexical_extra, tsv, embedding, embedding_model)
                SELECT @t, @d, i, @l, sealed, '', tsv::tsvector, e, @m
                FROM unnest(@idx, @sealed, @tsv, @emb) AS c(i, sealed, tsv, e)
                """, connection, tx);
            insert.Parameters.AddWithValue("t", tenantId);
            insert.Parameters.AddWithValue("m", document.EmbeddingModel);
            insert.Parameters.AddWithValue("d", document.DocumentId);
            insert.Parameters.AddWithValue("l", document.LabelId);
            insert.Parameters.AddWithValue("idx", chunks.Select(c => c.ChunkIndex).ToArray());
            insert.Parameters.AddWithValue("sealed", chunks.Select(c => key.Seal(c.Content, "kb_chunks", ChunkRow(document.DocumentId, c.ChunkIndex))).ToArray());
            insert.Parameters.AddWithValue("tsv", lexemes);
            insert.Parameters.AddWithValue("emb", chunks.Select(c => new Vector(c.Embedding)).ToArray());
            await insert.ExecuteNonQueryAsync(ct);
        }
        if (audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Changes title and label of a stored document (and its chunks' label) without touching the embeddings.</summary>
    public async Task<bool> UpdateDocumentMetadataAsync(string tenantId, string documentId, string title, short labelId, AuditWrite? audit = null, CancellationToken ct = default)
    {
        var key = await _keys.ForTenantAsync(tenantId, ct);
        await using var batch = _db.CreateBatch();
        var doc = new NpgsqlBatchCommand("UPDATE kb_documents SET title = @title, label_id = @l, updated_at = now() WHERE tenant_id = @t AND document_id = @d");
        doc.Parameters.AddWithValue("t", tenantId);
        doc.Parameters.AddWithValue("d", documentId);
        doc.Parameters.AddWithValue("title", key.Seal(title, "kb_documents", documentId));
        doc.Parameters.AddWithValue("l", labelId);
        batch.BatchCommands.Add(doc);
        // Chunks not yet re-embedded keep their table: they take the new label too (the full-text half reads them).
        foreach (var table in (await OtherDimensionsAsync(tenantId, ct)).Select(ChunkTable).Prepend(_chunks))
        {
            var chunks = new NpgsqlBatchCommand($"UPDATE {table} SET label_id = @l WHERE tenant_id = @t AND document_id = @d AND label_id <> @l");
            chunks.Parameters.AddWithValue("t", tenantId);
            chunks.Parameters.AddWithValue("d", documentId);
            chunks.Parameters.AddWithValue("l", labelId);
            batch.BatchCommands.Add(chunks);
        }
        if (audit is not null) batch.BatchCommands.Add(AuditStore.AppendCommand(audit));
        // The statements run in the batch's one implicit transaction.
        await batch.ExecuteNonQueryAsync(ct);
        return batch.BatchCommands[0].RecordsAffected == 1;
    }

    /// <summary>Deletes a document and its chunks; false when it was not there.</summary>
    public async Task<bool> DeleteDocumentAsync(string tenantId, string documentId, AuditWrite? audit = null, CancellationToken ct = default)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, tx);
        var chunks = new NpgsqlBatchCommand($"DELETE FROM {_chunks} WHERE tenant_id = @t AND document_id = @d");
        chunks.Parameters.AddWithValue("t", tenantId);
        chunks.Parameters.AddWithValue("d", documentId);
        batch.BatchCommands.Add(chunks);
        var doc = new NpgsqlBatchCommand("DELETE FROM kb_documents WHERE tenant_id = @t AND document_id = @d");
        doc.Parameters.AddWithValue("t", tenantId);
        doc.Parameters.AddWithValue("d", documentId);
        batch.BatchCommands.Add(doc);
        await batch.ExecuteNonQueryAsync(ct);
        var deleted = batch.BatchCommands[1].RecordsAffected == 1;
        // The entry only when there was something to delete, in the deletion's transaction.
        if (deleted && audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        return deleted;
    }

    /// <summary>Chunks per label id of the tenant that this store's model embedded (see <see cref="CountChunksAsync"/>).</summary>
    public async Task<IReadOnlyDictionary<short, long>> CountChunksByLabelAsync(string tenantId, CancellationToken ct = default) =>
        (await CountChunksAsync(tenantId, ct)).CurrentByLabel;

    /// <summary>Every chunk the tenant stores, of any embedding model (summed from the documents).</summary>
    public async Task<long> CountAllChunksAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("SELECT coalesce(sum(chunk_count), 0)::bigint FROM kb_documents WHERE tenant_id = @t");
        cmd.Parameters.AddWithValue("t", tenantId);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The tenant's chunk counts (summed from the documents, so it costs one small index scan): a document still being
    /// re-embedded counts in its table but not yet for its label, so the plan sees the share of rows the vector half can use.
    /// </summary>
    public async Task<KnowledgeCounts> CountChunksAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("""
            SELECT label_id, coalesce(sum(chunk_count) FILTER (WHERE embedding_model = @model), 0)::bigint, sum(chunk_count)::bigint
            FROM kb_documents WHERE tenant_id = @t AND dimensions = @dims GROUP BY label_id
            """);
        AddModelParameters(cmd);
        cmd.Parameters.AddWithValue("t", tenantId);
        var current = new Dictionary<short, long>();
        long table = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                current[r.GetInt16(0)] = r.GetInt64(1);
                table += r.GetInt64(2);
            }
        return new KnowledgeCounts(current, table, await OtherDimensionsAsync(tenantId, ct));
    }

    /// <summary>Runs both halves of a search in one round trip (the hnsw settings are transaction-local).</summary>
    public async Task<KnowledgeHits> SearchAsync(KnowledgeQuery query, CancellationToken ct = default)
    {
        if (query.Embedding.Length != Dimensions)
            throw new ArgumentException($"The query has {query.Embedding.Length} dimensions; this store holds {Dimensions}.");
        if (query.LabelIds.Count == 0 || query.Limit <= 0) return new KnowledgeHits([], []);
        var key = await _keys.ForTenantAsync(query.TenantId, ct);
        await using var batch = _db.CreateBatch();
        var keyed = query.TsQuery is null ? query : query with { TsQuery = KeyedTsQuery(key, query.TsQuery) };
        foreach (var c in BuildSearch(keyed)) batch.BatchCommands.Add(c);
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct); // past the settings row
        var vector = await ReadHitsAsync(r, key, ct);
        IReadOnlyList<ChunkHit> lexical = [];
        if (query.TsQuery is not null)
        {
            await r.NextResultAsync(ct); // past the settings reset
            lexical = await ReadHitsAsync(r, key, ct, next: true);
        }
        return new KnowledgeHits(vector, lexical);
    }

    /// <summary>
    /// One chunk with its document's title, only when its label is one of <paramref name="labelIds"/> (the labels the
    /// reader may read); null when there is no such chunk in the tenant or the reader may not read it.
    /// </summary>
    public async Task<ChunkHit?> ReadChunkAsync(string tenantId, string documentId, int chunkIndex, IReadOnlyList<short> labelIds, CancellationToken ct = default)
    {
        if (labelIds.Count == 0) return null;
        await using var cmd = _db.CreateCommand($"""
            SELECT c.document_id, c.chunk_index, c.label_id, d.title, c.content, 0.0
            FROM {ChunkSource(await OtherDimensionsAsync(tenantId, ct))} c JOIN kb_documents d ON d.tenant_id = c.tenant_id AND d.document_id = c.document_id
            WHERE c.tenant_id = @t AND c.document_id = @d AND c.chunk_index = @i AND c.label_id = ANY(@labels)
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("d", documentId);
        cmd.Parameters.AddWithValue("i", chunkIndex);
        cmd.Parameters.AddWithValue("labels", labelIds.ToArray());
        var key = await _keys.ForTenantAsync(tenantId, ct);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var hits = await ReadHitsAsync(r, key, ct);
        return hits.Count > 0 ? hits[0] : null;
    }

    /// <summary>EXPLAIN of the vector half, to check which index a mode uses.</summary>
    internal async Task<string> ExplainVectorAsync(KnowledgeQuery query, CancellationToken ct = default)
    {
        var commands = BuildSearch(query with { TsQuery = null });
        commands[1].CommandText = "EXPLAIN " + commands[1].CommandText;
        await using var batch = _db.CreateBatch();
        foreach (var c in commands) batch.BatchCommands.Add(c);
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct);
        var lines = new List<string>();
        while (await r.ReadAsync(ct)) lines.Add(r.GetString(0));
        return string.Join('\n', lines);
    }

    private List<NpgsqlBatchCommand> BuildSearch(KnowledgeQuery q)
    {
        var settings = new NpgsqlBatchCommand(
            "SELECT set_config('hnsw.ef_search', @ef, true), set_config('hnsw.iterative_scan', @iter, true), set_config('hnsw.max_scan_tuples', @mst, true), " +
            "set_config('enable_seqscan', @other, true), set_config('enable_bitmapscan', @other, true), set_config('enable_sort', @other, true), " +
            // Priced-out alternatives push the estimate past jit_above_cost; compiling would cost 100+ ms for a 1 ms query.
            "set_config('jit', 'off', true), " +
            // The statements below are auto-prepared; a cached generic plan would ignore the planner settings above, so
            // each execution plans for its own tenant partition, labels and settings.
            "set_config('plan_cache_mode', 'force_custom_plan', true)");
        settings.Parameters.AddWithValue("ef", Math.Clamp(q.EfSearch, 1, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        settings.Parameters.AddWithValue("iter", q.Mode == VectorSearchMode.HnswIterative ? "relaxed_order" : "off");
        settings.Parameters.AddWithValue("mst", Math.Max(q.MaxScanTuples, 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A small partition looks cheaper to scan and sort than to walk the graph; the HNSW plans were chosen on
        // purpose, so for them the alternatives are priced out (for this transaction only).
        settings.Parameters.AddWithValue("other", q.Mode == VectorSearchMode.Exact ? "on" : "off");

        // The exact plan orders by an expression the HNSW index cannot serve and filters through the label B-tree;
        // the HNSW plans filter on label_id + 0, which the B-tree cannot serve, so the ordered index scan is the only
        // cheap path. Either way the plan is the one the caller chose, not the SQL planner's guess.
        var (filter, order) = q.Mode == VectorSearchMode.Exact
            ? ("c.label_id = ANY(@labels)", "(c.embedding <=> @q) + 0")
            : ("(c.label_id + 0) = ANY(@labels_int)", "c.embedding <=> @q");
        var vector = new NpgsqlBatchCommand($"""
            WITH hits AS MATERIALIZED (
                SELECT c.document_id, c.chunk_index, c.label_id, c.content, c.embedding <=> @q AS distance
                FROM {_chunks} c
                WHERE c.tenant_id = @t AND {filter} AND c.embedding_model = @model
                ORDER BY {order} LIMIT @n)
            SELECT h.document_id, h.chunk_index, h.label_id, d.title, h.content, h.distance
            FROM hits h JOIN kb_documents d ON d.tenant_id = @t AND d.document_id = h.document_id
            ORDER BY h.distance, h.document_id, h.chunk_index
            """);
        AddFilterParameters(vector, q);
        vector.Parameters.AddWithValue("q", new Vector(q.Embedding));
        vector.Parameters.AddWithValue("model", EmbeddingModel);
        var commands = new List<NpgsqlBatchCommand> { settings, vector };
        if (q.TsQuery is not null)
        {
            // The full-text half needs its GIN bitmap scan back.
            commands.Add(new NpgsqlBatchCommand(
                "SELECT set_config('enable_seqscan', 'on', true), set_config('enable_bitmapscan', 'on', true), set_config('enable_sort', 'on', true)"));
            var lexical = new NpgsqlBatchCommand($"""
                WITH hits AS MATERIALIZED (
                    SELECT c.document_id, c.chunk_index, c.label_id, c.content, ts_rank_cd(c.tsv, query) AS rank
                    FROM {ChunkSource(q.OtherDimensions, "tsv")} c, CAST(@tsq AS tsquery) query
                    WHERE c.tenant_id = @t AND c.label_id = ANY(@labels) AND c.tsv @@ query
                    ORDER BY rank DESC, c.document_id, c.chunk_index LIMIT @n)
                SELECT h.document_id, h.chunk_index, h.label_id, d.title, h.content, h.rank
                FROM hits h JOIN kb_documents d ON d.tenant_id = @t AND d.document_id = h.document_id
                ORDER BY h.rank DESC, h.document_id, h.chunk_index
                """);
            AddFilterParameters(lexical, q);
            lexical.Parameters.AddWithValue("tsq", q.TsQuery);
            commands.Add(lexical);
        }
        return commands;
    }

    private static void AddFilterParameters(NpgsqlBatchCommand c, KnowledgeQuery q)
    {
        c.Parameters.AddWithValue("t", q.TenantId);
        c.Parameters.AddWithValue("labels", q.LabelIds.ToArray());
        c.Parameters.AddWithValue("labels_int", q.LabelIds.Select(l => (int)l).ToArray());
        c.Parameters.AddWithValue("n", q.Limit);
    }

    private static async Task<IReadOnlyList<ChunkHit>> ReadHitsAsync(NpgsqlDataReader r, TenantDataKey key, CancellationToken ct, bool next = false)
    {
        if (next) await r.NextResultAsync(ct);
        var hits = new List<ChunkHit>();
        while (await r.ReadAsync(ct))
        {
            var doc = r.GetString(0);
            var index = r.GetInt32(1);
            hits.Add(new ChunkHit(doc, index, r.GetInt16(2), key.Open(r.GetString(3), "kb_documents", doc),
                key.Open(r.GetString(4), "kb_chunks", ChunkRow(doc, index)), Convert.ToDouble(r.GetValue(5))));
        }
        return hits;
    }

    /// <summary>
    /// Each chunk's tsvector text with keyed lexemes: PostgreSQL's 'simple' parser splits the plaintext (content and
    /// CJK bigrams, sent as parameters only), and each lexeme is replaced by the tenant's keyed stand-in, positions kept.
    /// </summary>
    private async Task<string[]> KeyedLexemesAsync(TenantDataKey key, IReadOnlyList<StoredChunk> chunks, CancellationToken ct)
    {
        var vectors = new StringBuilder[chunks.Count];
        for (var i = 0; i < vectors.Length; i++) vectors[i] = new StringBuilder();
        if (chunks.Count == 0) return [];
        await using var cmd = _db.CreateCommand("""
            SELECT p.ord::int - 1, u.lexeme, u.positions
            FROM unnest(@plain) WITH ORDINALITY AS p(txt, ord), unnest(to_tsvector('simple', p.txt)) AS u
            """);
        cmd.Parameters.AddWithValue("plain", chunks.Select(c => c.Content + " " + c.LexicalExtra).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var sb = vectors[r.GetInt32(0)];
            if (sb.Length > 0) sb.Append(' ');
            sb.Append('\'').Append(key.Lexeme(r.GetString(1))).Append('\'');
            var positions = r.IsDBNull(2) ? [] : r.GetFieldValue<short[]>(2);
            if (positions.Length > 0) sb.Append(':').AppendJoin(',', positions);
        }
        return vectors.Select(v => v.ToString()).ToArray();
    }

    /// <summary>A tsquery of <c>'term' | 'term'</c> (<c>LexicalTerms.ToTsQuery</c>) with each term replaced by its keyed stand-in.</summary>
    private static string KeyedTsQuery(TenantDataKey key, string tsQuery) =>
        string.Join(" | ", tsQuery.Split(" | ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => $"'{key.Lexeme(t.Trim('\''))}'"));

    private static string ChunkRow(string documentId, int chunkIndex) => $"{documentId}/{chunkIndex}";

    private async Task EnsurePartitionAsync(string tenantId, CancellationToken ct)
    {
        if (_partitions.ContainsKey(tenantId)) return;
        await using var cmd = _db.CreateCommand("SELECT kb_ensure_partition(@d, @t)");
        cmd.Parameters.AddWithValue("d", Dimensions);
        cmd.Parameters.AddWithValue("t", tenantId);
        await cmd.ExecuteScalarAsync(ct);
        _partitions[tenantId] = true;
    }

    private static DocumentRecord ReadDocument(NpgsqlDataReader r, TenantDataKey key) => new(
        r.GetString(0), key.Open(r.GetString(1), "kb_documents", r.GetString(0)), r.GetInt16(2), r.GetString(3), (byte[])r[4], r.GetString(5),
        r.GetInt32(6), r.GetInt32(7), r.GetFieldValue<DateTimeOffset>(8), r.GetFieldValue<DateTimeOffset>(9), Math.Max(r.GetInt32(10), 0));
}
