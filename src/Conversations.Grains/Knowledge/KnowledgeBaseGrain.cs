using System.Runtime.CompilerServices;
using Conversations.Contracts.Knowledge;
using Conversations.Storage.Knowledge;
using Orleans.Concurrency;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// One tenant's documents. Reentrant: an upload streams for minutes, and listing or deleting must not wait behind it;
/// each document is written in its own database transaction, so interleaved calls cannot tear a document.
/// </summary>
[Reentrant]
internal sealed class KnowledgeBaseGrain(KnowledgeIngestion ingestion, KnowledgeStore store) : Grain, IKnowledgeBaseGrain
{
    /// <inheritdoc />
    public async IAsyncEnumerable<IngestionProgress> IngestAsync(
        IReadOnlyList<DocumentUpload> documents, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var p in ingestion.IngestAsync(this.GetPrimaryKeyString(), documents, cancellationToken))
            yield return p;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DocumentInfo>> ListAsync(string? afterDocumentId, int limit) =>
        (await store.ListDocumentsAsync(this.GetPrimaryKeyString(), afterDocumentId, Math.Clamp(limit, 1, 500))).Select(ToInfo).ToList();

    /// <inheritdoc />
    public async Task<DocumentInfo?> GetAsync(string documentId) =>
        await store.GetDocumentAsync(this.GetPrimaryKeyString(), documentId) is { } d ? ToInfo(d) : null;

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string documentId) => ingestion.DeleteAsync(this.GetPrimaryKeyString(), documentId);

    private static DocumentInfo ToInfo(DocumentRecord d) =>
        new(d.DocumentId, d.Title, d.Label, d.ChunkCount, d.CharCount, d.EmbeddingModel, d.CreatedAt, d.UpdatedAt);
}
