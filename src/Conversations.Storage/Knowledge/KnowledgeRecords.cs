namespace Conversations.Storage.Knowledge;

/// <summary>A document row to write; chunks are written with it.</summary>
public sealed record StoredDocument(
    string DocumentId, string Title, short LabelId, byte[] ContentHash, string EmbeddingModel, int CharCount);

/// <summary>A chunk row to write: its text, the CJK bigrams indexed with it, and its embedding.</summary>
public sealed record StoredChunk(int ChunkIndex, string Content, string LexicalExtra, float[] Embedding);

/// <summary>A stored document's metadata as read back.</summary>
/// <param name="EmbeddingModel">The model every chunk was embedded with when the document was last wholly embedded.</param>
/// <param name="StaleChunks">Chunks whose vectors are not yet the store's model's (0 once re-embedded).</param>
public sealed record DocumentRecord(
    string DocumentId, string Title, short LabelId, string Label, byte[] ContentHash, string EmbeddingModel,
    int ChunkCount, int CharCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int StaleChunks = 0);

/// <summary>
/// A tenant's chunk counts for choosing a plan: per label, the chunks of the store's model (the rows the vector half
/// can return); all chunks in the store's table (the graph it walks); the other dimensions' tables still holding
/// chunks of the tenant (searched by the full-text half until they are re-embedded).
/// </summary>
public sealed record KnowledgeCounts(IReadOnlyDictionary<short, long> CurrentByLabel, long TableChunks, IReadOnlyList<int> OtherDimensions)
{
    /// <summary>No chunks.</summary>
    public static readonly KnowledgeCounts Empty = new(new Dictionary<short, long>(), 0, []);
}

/// <summary>A chunk embedded by another model: where it is, its text sealed as stored (the write's guard) and open (to embed).</summary>
public sealed record StaleChunk(string DocumentId, int ChunkIndex, int Dimensions, string Sealed, string Text);

/// <summary>A document not yet wholly embedded with the store's model, and the dimension it was embedded at.</summary>
public sealed record StaleDocument(string DocumentId, int Dimensions);

/// <summary>The next stale documents of a tenant (by id) and their chunks not yet re-embedded, at most a batch.</summary>
public sealed record StaleBatch(IReadOnlyList<StaleDocument> Documents, IReadOnlyList<StaleChunk> Chunks)
{
    /// <summary>The documents' ids.</summary>
    public IReadOnlyList<string> DocumentIds => Documents.Select(d => d.DocumentId).ToList();
}

/// <summary>How far a tenant's knowledge base is from the store's embedding model.</summary>
public sealed record EmbeddingBacklog(int StaleDocuments, long StaleChunks);

/// <summary>How the vector half of a search runs.</summary>
public enum VectorSearchMode
{
    /// <summary>Exact distances over every allowed row (label index, then sort).</summary>
    Exact,
    /// <summary>HNSW index with the label filter and <c>hnsw.iterative_scan = relaxed_order</c>.</summary>
    HnswIterative,
    /// <summary>HNSW index with the label filter and no iterative scan (may return fewer rows than asked; for comparison).</summary>
    HnswPlain,
}

/// <summary>One filtered search: a vector half and, when <see cref="TsQuery"/> is set, a full-text half.</summary>
/// <param name="LabelIds">Labels the caller may read; rows with other labels are never returned.</param>
/// <param name="Limit">Rows each half returns at most.</param>
/// <param name="TsQuery">A <c>to_tsquery('simple', …)</c> text of plain terms, or null for vector only; the store replaces each term by the tenant's keyed stand-in.</param>
/// <param name="OtherDimensions">Other dimensions' chunk tables holding the tenant's chunks not yet re-embedded: the full-text half searches them too.</param>
public sealed record KnowledgeQuery(
    string TenantId, float[] Embedding, IReadOnlyList<short> LabelIds, int Limit,
    VectorSearchMode Mode, int EfSearch = 40, int MaxScanTuples = 20_000, string? TsQuery = null, IReadOnlyList<int>? OtherDimensions = null);

/// <summary>A row found by a search; <see cref="Score"/> is the cosine distance (vector) or the text rank (full-text).</summary>
public sealed record ChunkHit(string DocumentId, int ChunkIndex, short LabelId, string Title, string Content, double Score);

/// <summary>Both halves of a search, each best first.</summary>
public sealed record KnowledgeHits(IReadOnlyList<ChunkHit> Vector, IReadOnlyList<ChunkHit> Lexical);
