using Conversations.Contracts.Chat;

namespace Conversations.Contracts.Knowledge;

/// <summary>One tenant's documents, key <c>{tenant}</c>: batch ingestion with progress, listing and deletion.</summary>
[Alias("knowledge-base")]
public interface IKnowledgeBaseGrain : IGrainWithStringKey
{
    /// <summary>Chunks, embeds and stores the documents, reporting progress; unchanged documents are skipped.</summary>
    [Alias("ingest")]
    IAsyncEnumerable<IngestionProgress> IngestAsync(IReadOnlyList<DocumentUpload> documents, CancellationToken cancellationToken = default);

    /// <summary>Documents by id after <paramref name="afterDocumentId"/>.</summary>
    [Alias("list")]
    Task<IReadOnlyList<DocumentInfo>> ListAsync(string? afterDocumentId, int limit);

    /// <summary>One document, or null.</summary>
    [Alias("get")]
    Task<DocumentInfo?> GetAsync(string documentId);

    /// <summary>
    /// Deletes a document and its chunks; false when not found. Throws <see cref="DocumentBeingStoredException"/> while a
    /// running upload has not finished with the document.
    /// </summary>
    [Alias("delete")]
    Task<bool> DeleteAsync(string documentId);

    /// <summary>
    /// Re-embeds the next batch of chunks another embedding model made with the configured one; returns how many chunks
    /// and documents it moved on, 0 when the knowledge base is wholly embedded with the configured model.
    /// </summary>
    [Alias("reembed-batch")]
    Task<int> ReembedBatchAsync();

    /// <summary>The configured embedding model and how many documents and chunks still have another model's vectors.</summary>
    [Alias("embedding-status")]
    Task<EmbeddingStatus> GetEmbeddingStatusAsync();
}

/// <summary>Searches one tenant's knowledge base for a user, key <c>{tenant}</c>; only chunks the user may read.</summary>
[Alias("knowledge-search")]
public interface IKnowledgeSearchGrain : IGrainWithStringKey
{
    /// <summary>
    /// The best <paramref name="topK"/> chunks for the question that <paramref name="caller"/> may read, after the same
    /// moderation a chat turn gets: the question is checked like a chat question, and each chunk's text passes the
    /// tenant's output guard (personal data and lexicon words masked, blocked text withheld).
    /// </summary>
    [Alias("search-moderated")]
    Task<KnowledgeSearchResult> SearchAsync(Caller caller, string question, int topK);

    /// <summary>
    /// One passage the caller may read (what a citation opens), its text through the tenant's output guard as in a
    /// search; null when the tenant has no such passage or the caller may not read it.
    /// </summary>
    [Alias("passage")]
    Task<KnowledgeChunk?> GetPassageAsync(Caller caller, string documentId, int chunkIndex);
}
