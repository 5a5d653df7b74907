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
internal sealed class KnowledgeBaseGrain(KnowledgeIngestion ingestion, KnowledgeReembedding reembedding, KnowledgeStore store) : Grain, IKnowledgeBaseGrain
{
    // One re-embedding batch at a time per tenant, however many silos ask.
    private readonly SemaphoreSlim _reembedding = new(1, 1);
    // Chunks this tenant's running uploads may still store: the limit holds for uploads at the same moment.
    private readonly ChunkReservations _reservations = new();
    // Documents the running uploads have not finished with: a delete of one waits for the upload (409), see DeleteAsync.
    private readonly DocumentsInFlight _inFlight = new();

    /// <inheritdoc />
    public async IAsyncEnumerable<IngestionProgress> IngestAsync(
        IReadOnlyList<DocumentUpload> documents, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Uploads come from JSON: an id the type says is set may still be missing (the ingestion reports it failed).
        using var held = _inFlight.Hold(documents.Select(d => d.DocumentId ?? ""));
        await foreach (var p in ingestion.IngestAsync(this.GetPrimaryKeyString(), documents, _reservations, cancellationToken))
        {
            if (p.Document is { } done) held.Done(done.DocumentId);
            yield return p;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DocumentInfo>> ListAsync(string? afterDocumentId, int limit) =>
        (await store.ListDocumentsAsync(this.GetPrimaryKeyString(), afterDocumentId, Math.Clamp(limit, 1, 500))).Select(ToInfo).ToList();

    /// <inheritdoc />
    public async Task<DocumentInfo?> GetAsync(string documentId) =>
        await store.GetDocumentAsync(this.GetPrimaryKeyString(), documentId) is { } d ? ToInfo(d) : null;

    /// <inheritdoc />
    /// <remarks>
    /// A document a running upload is still embedding is refused, not deleted: the table does not hold it yet (or holds
    /// the version the upload replaces), so a delete now would be undone by the upload's write a moment later.
    /// </remarks>
    public Task<bool> DeleteAsync(string documentId) => _inFlight.Contains(documentId)
        ? throw new DocumentBeingStoredException(documentId)
        : ingestion.DeleteAsync(this.GetPrimaryKeyString(), documentId);

    /// <inheritdoc />
    public async Task<int> ReembedBatchAsync()
    {
        await _reembedding.WaitAsync();
        try
        {
            return await reembedding.RunBatchAsync(this.GetPrimaryKeyString());
        }
        finally
        {
            _reembedding.Release();
        }
    }

    /// <inheritdoc />
    public Task<EmbeddingStatus> GetEmbeddingStatusAsync() => reembedding.StatusAsync(this.GetPrimaryKeyString());

    private static DocumentInfo ToInfo(DocumentRecord d) =>
        new(d.DocumentId, d.Title, d.Label, d.ChunkCount, d.CharCount, d.EmbeddingModel, d.CreatedAt, d.UpdatedAt, d.StaleChunks);
}
