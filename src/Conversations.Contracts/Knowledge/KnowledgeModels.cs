namespace Conversations.Contracts.Knowledge;

/// <summary>One uploaded document: plain text or Markdown, with the one label that decides who may read it.</summary>
[GenerateSerializer, Immutable, Alias("kb-upload")]
public sealed record DocumentUpload(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] string Title,
    [property: Id(2)] string Label,
    [property: Id(3)] string Content);

/// <summary>What ingestion did with one document.</summary>
/// <param name="PreviousLabel">
/// The label the stored document had when this upload moved it to another one (relabeled or updated), else null:
/// the document id is its identity across labels, so readers of that label lost access to it.
/// </param>
[GenerateSerializer, Immutable, Alias("kb-ingest-result")]
public sealed record DocumentIngestResult(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] string Status,
    [property: Id(2)] int ChunkCount,
    [property: Id(3)] string? Error = null,
    [property: Id(4)] string? PreviousLabel = null);

/// <summary>Values of <see cref="DocumentIngestResult.Status"/>.</summary>
public static class IngestStatus
{
    /// <summary>New document, chunked and embedded.</summary>
    public const string Created = "created";
    /// <summary>Content changed: old chunks replaced.</summary>
    public const string Updated = "updated";
    /// <summary>Same content, new title or label: chunks kept, metadata changed.</summary>
    public const string Relabeled = "relabeled";
    /// <summary>Same content and metadata: nothing done.</summary>
    public const string Unchanged = "unchanged";
    /// <summary>Not stored; see the error.</summary>
    public const string Failed = "failed";
}

/// <summary>A progress report of a batch upload; <see cref="Document"/> is set when a document finished.</summary>
[GenerateSerializer, Immutable, Alias("kb-ingest-progress")]
public sealed record IngestionProgress(
    [property: Id(0)] int DocumentsDone,
    [property: Id(1)] int DocumentsTotal,
    [property: Id(2)] int ChunksEmbedded,
    [property: Id(3)] int ChunksTotal,
    [property: Id(4)] DocumentIngestResult? Document);

/// <summary>A stored document's metadata.</summary>
/// <param name="EmbeddingModel">The model all its chunks were embedded with when it was last wholly embedded.</param>
/// <param name="StaleChunks">Chunks whose vectors another model made, not yet re-embedded with the configured one (0 when current).</param>
[GenerateSerializer, Immutable, Alias("kb-document")]
public sealed record DocumentInfo(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] string Title,
    [property: Id(2)] string Label,
    [property: Id(3)] int ChunkCount,
    [property: Id(4)] int CharCount,
    [property: Id(5)] string EmbeddingModel,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt,
    [property: Id(8)] int StaleChunks = 0);

/// <summary>
/// A knowledge base against the configured embedding model: documents and chunks still embedded by another model
/// (their vectors are left out of searches until re-embedded; their text still counts for full-text matches).
/// </summary>
/// <param name="Model">The configured model (<c>Models:Embeddings</c>).</param>
/// <param name="Dimensions">Its vector length.</param>
/// <param name="StaleDocuments">Documents with chunks not yet re-embedded.</param>
/// <param name="StaleChunks">Chunks not yet re-embedded.</param>
/// <param name="Reembedding">Whether the silos re-embed them in the background (<c>Knowledge:ReembedEnabled</c>).</param>
[GenerateSerializer, Immutable, Alias("kb-embedding-status")]
public sealed record EmbeddingStatus(
    [property: Id(0)] string Model,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] int StaleDocuments,
    [property: Id(3)] long StaleChunks,
    [property: Id(4)] bool Reembedding)
{
    /// <summary>Chunks the tenant's knowledge base holds, of any embedding model.</summary>
    [Id(5)] public long Chunks { get; init; }
    /// <summary>The most chunks it may hold (<c>Knowledge:MaxChunksPerTenant</c>); null when there is no limit.</summary>
    [Id(6)] public long? ChunkLimit { get; init; }
}

/// <summary>A retrieved chunk the user may read, best first.</summary>
/// <param name="Score">Fused rank score (reciprocal rank fusion of vector and full-text ranks); higher is better.</param>
/// <param name="Similarity">Cosine similarity to the question when the vector search found it, else null.</param>
[GenerateSerializer, Immutable, Alias("kb-chunk")]
public sealed record KnowledgeChunk(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] string Title,
    [property: Id(2)] int ChunkIndex,
    [property: Id(3)] string Text,
    [property: Id(4)] double Score,
    [property: Id(5)] string Label,
    [property: Id(6)] double? Similarity)
{
    /// <summary>True when output moderation withheld the rest of the text: <see cref="Text"/> is what came before it.</summary>
    [Id(7)] public bool Withheld { get; init; }
}

/// <summary>The result of one retrieval: the chunks, the ACL version they were filtered at, and the plan used.</summary>
[GenerateSerializer, Immutable, Alias("kb-retrieval")]
public sealed record RetrievalResult(
    [property: Id(0)] IReadOnlyList<KnowledgeChunk> Chunks,
    [property: Id(1)] long AclVersion,
    [property: Id(2)] string Plan,
    [property: Id(3)] double AllowedShare)
{
    /// <summary>Nothing found (or nothing readable).</summary>
    public static readonly RetrievalResult Empty = new([], 0, "empty", 0);
}

/// <summary>A user's knowledge search: the chunks as the user may see them, or why the question was refused.</summary>
/// <param name="Result">The chunks with their text moderated for display; null when the question was refused.</param>
/// <param name="RefusalCode">"input_refused" or "moderation_unavailable", as for a chat question.</param>
[GenerateSerializer, Immutable, Alias("kb-search-result")]
public sealed record KnowledgeSearchResult(
    [property: Id(0)] RetrievalResult? Result,
    [property: Id(1)] string? RefusalCode = null,
    [property: Id(2)] string? RefusalMessage = null,
    [property: Id(3)] string? RiskLevel = null,
    [property: Id(4)] IReadOnlyList<string>? Labels = null);
