namespace Conversations.Storage.Knowledge;

/// <summary>A document row to write; chunks are written with it.</summary>
public sealed record StoredDocument(
    string DocumentId, string Title, short LabelId, byte[] ContentHash, string EmbeddingModel, int CharCount);

/// <summary>A chunk row to write: its text, the CJK bigrams indexed with it, and its embedding.</summary>
public sealed record StoredChunk(int ChunkIndex, string Content, string LexicalExtra, float[] Embedding);

/// <summary>A stored document's metadata as read back.</summary>
public sealed record DocumentRecord(
    string DocumentId, string Title, short LabelId, string Label, byte[] ContentHash, string EmbeddingModel,
    int ChunkCount, int CharCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

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
public sealed record KnowledgeQuery(
    string TenantId, float[] Embedding, IReadOnlyList<short> LabelIds, int Limit,
    VectorSearchMode Mode, int EfSearch = 40, int MaxScanTuples = 20_000, string? TsQuery = null);

/// <summary>A row found by a search; <see cref="Score"/> is the cosine distance (vector) or the text rank (full-text).</summary>
public sealed record ChunkHit(string DocumentId, int ChunkIndex, short LabelId, string Title, string Content, double Score);

/// <summary>Both halves of a search, each best first.</summary>
public sealed record KnowledgeHits(IReadOnlyList<ChunkHit> Vector, IReadOnlyList<ChunkHit> Lexical);
