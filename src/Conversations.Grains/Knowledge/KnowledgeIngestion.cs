using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Conversations.Contracts.Audit;
using Conversations.Contracts.Knowledge;
using Conversations.Knowledge.Chunking;
using Conversations.Knowledge.Ingestion;
using Conversations.Knowledge.Search;
using Conversations.Models.Embeddings;
using Conversations.Prompting.Tokens;
using Conversations.Storage.Audit;
using Conversations.Storage.Knowledge;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// Documents → token-aware chunks with overlap → embeddings → one COPY per document. A document whose content hash
/// and embedding model match the stored one is not embedded again; a changed title or label only updates metadata.
/// </summary>
internal sealed partial class KnowledgeIngestion(
    KnowledgeStore store, AuditStore audit, EmbeddingModel embeddings, ITokenCounter tokens, LabelChunkCounts counts,
    IOptions<KnowledgeOptions> options, ILogger<KnowledgeIngestion> logger)
{
    private readonly TextChunker _chunker = new(tokens, options.Value.Chunker);

    /// <summary>
    /// Ingests a batch, yielding progress after each embedding batch and each finished document. The chunk limit is
    /// checked against what is stored plus what the tenant's other running uploads reserved (<paramref name="reservations"/>).
    /// </summary>
    public async IAsyncEnumerable<IngestionProgress> IngestAsync(
        string tenantId, IReadOnlyList<DocumentUpload> documents, ChunkReservations reservations, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (documents.Count > DocumentRules.MaxDocumentsPerUpload)
            throw new ArgumentException($"Upload at most {DocumentRules.MaxDocumentsPerUpload} documents at a time.");
        var duplicate = documents.GroupBy(d => d.DocumentId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Document id '{duplicate.Key}' appears twice in the upload.");

        // Decide per document first, so the total chunk count is known before the slow part. The stored documents are
        // read in one query and each label is resolved once: a round trip per document kept the model waiting.
        var done = new List<DocumentIngestResult>();
        var pending = new List<PendingDocument>();
        var stored = await store.GetDocumentsAsync(tenantId, [.. documents.Select(d => d.DocumentId).OfType<string>()], ct);
        var labels = new Dictionary<string, short>(StringComparer.Ordinal);
        foreach (var doc in documents)
        {
            ct.ThrowIfCancellationRequested();
            var decided = await DecideAsync(tenantId, doc, stored, labels, ct);
            if (decided.Result is { } result) done.Add(result);
            else pending.Add(decided.Pending!);
        }
        if (done.Any(d => d.Status == IngestStatus.Relabeled)) counts.Invalidate(tenantId);
        using var reservation = await ReserveAsync(tenantId, pending, reservations, ct);

        var progress = new IngestionCounts(documents.Count, pending.Sum(p => p.Chunks.Count));
        for (var i = 0; i < done.Count; i++) yield return new IngestionProgress(i + 1, progress.Documents, 0, progress.Chunks, done[i]);
        await foreach (var step in EmbedAndStoreAsync(tenantId, pending, progress, done.Count, reservation, ct))
            yield return step;
    }

    // A document's outcome without embedding (failed, unchanged, relabeled), or its chunks to embed.
    private async Task<(DocumentIngestResult? Result, PendingDocument? Pending)> DecideAsync(string tenantId, DocumentUpload doc,
        Dictionary<string, DocumentRecord> stored, Dictionary<string, short> labels, CancellationToken ct)
    {
        // Uploads come from JSON: fields the type says are set may still be missing.
        var id = doc.DocumentId ?? "";
        if (Validate(doc) is { } error) return (new DocumentIngestResult(id, IngestStatus.Failed, 0, error), null);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(doc.Content));
        if (!labels.TryGetValue(doc.Label, out var labelId)) labels[doc.Label] = labelId = await store.EnsureLabelAsync(tenantId, doc.Label, ct);
        var existing = stored.GetValueOrDefault(id);
        if (existing is not null && existing.ContentHash.AsSpan().SequenceEqual(hash) && existing.EmbeddingModel == embeddings.ModelId)
        {
            if (existing.Title == doc.Title && existing.LabelId == labelId)
                return (new DocumentIngestResult(id, IngestStatus.Unchanged, existing.ChunkCount), null);
            await store.UpdateDocumentMetadataAsync(tenantId, id, doc.Title, labelId,
                await AuditEntryAsync(tenantId, Describe(existing), Describe(id, doc.Title, doc.Label, existing.ChunkCount, existing.CharCount, hash), ct), ct);
            return (new DocumentIngestResult(id, IngestStatus.Relabeled, existing.ChunkCount, PreviousLabel: MovedFrom(existing, labelId)), null);
        }
        var chunks = _chunker.Chunk(doc.Content);
        if (chunks.Count == 0) return (new DocumentIngestResult(id, IngestStatus.Failed, 0, "The document has no text."), null);
        return (null, new PendingDocument(doc, labelId, hash, chunks, existing?.ChunkCount, existing is null ? null : MovedFrom(existing, labelId)));
    }

    // The stored document's label when the upload puts it under another one: its readers lose it.
    private static string? MovedFrom(DocumentRecord existing, short labelId) => existing.LabelId == labelId ? null : existing.Label;

    // Before any embedding: an upload that would pass the tenant's limit stores nothing. A count of stored chunks taken
    // while another upload committed a document is taken again, so two uploads cannot both count the same room.
    private async Task<UploadReservation?> ReserveAsync(string tenantId, List<PendingDocument> pending, ChunkReservations reservations, CancellationToken ct)
    {
        var limit = options.Value.MaxChunksPerTenant;
        if (limit <= 0 || pending.Count == 0) return null;
        var added = pending.Sum(p => p.AddedChunks);
        if (added <= 0) return null;
        for (var attempt = 1; ; attempt++)
        {
            var generation = reservations.Generation;
            var held = await store.CountAllChunksAsync(tenantId, ct);
            // Past a few attempts (another upload storing document after document) the last count decides.
            var outcome = reservations.TryReserve(attempt < 5 ? generation : reservations.Generation, held, added, limit);
            if (outcome == ChunkReservations.Outcome.Reserved) return new UploadReservation(reservations, added);
            if (outcome == ChunkReservations.Outcome.Refused) throw new KnowledgeQuotaExceededException(held, limit, added);
        }
    }

    // Small documents are embedded together, so the model always sees full batches (about twice the throughput of one
    // short document per call); each document is stored as soon as its own chunks are embedded. One batch is embedded
    // ahead: the model (CPU) works on batch N+1 while batch N's documents are written (database I/O). The last batches
    // shrink (NextBatchSize), so few writes are left when the model finishes.
    private async IAsyncEnumerable<IngestionProgress> EmbedAndStoreAsync(
        string tenantId, List<PendingDocument> pending, IngestionCounts progress, int finished, UploadReservation? reservation,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var embedded = 0;
        var vectors = new Dictionary<(int Doc, int Chunk), float[]>();
        var queue = pending.SelectMany((p, d) => p.Chunks.Select(c => (Doc: d, Chunk: c))).ToList();
        var next = 0;
        (List<(int Doc, TextChunk Chunk)> Batch, Task<IReadOnlyList<float[]>> Vectors)? ahead = null;
        void EmbedAhead()
        {
            if (next >= queue.Count) { ahead = null; return; }
            var batch = queue.GetRange(next, NextBatchSize(queue.Count - next, embeddings.BatchSize));
            next += batch.Count;
            ahead = (batch, embeddings.EmbedAsync(batch.Select(b => b.Chunk.Text).ToList(), tenantId, ct));
        }
        EmbedAhead();
        try
        {
            for (var d = 0; d < pending.Count; d++)
            {
                var chunks = pending[d].Chunks;
                while (chunks.Any(c => !vectors.ContainsKey((d, c.Index))))
                {
                    var (batch, embedding) = ahead ?? throw new InvalidOperationException("Chunks left without a batch.");
                    var embeddedBatch = await embedding;
                    EmbedAhead();
                    for (var i = 0; i < batch.Count; i++) vectors[(batch[i].Doc, batch[i].Chunk.Index)] = embeddedBatch[i];
                    embedded += batch.Count;
                    yield return new IngestionProgress(finished, progress.Documents, embedded, progress.Chunks, null);
                }
                var rows = chunks.Select(c => new StoredChunk(c.Index, c.Text, LexicalTerms.CjkBigrams(c.Text), vectors[(d, c.Index)])).ToList();
                foreach (var c in chunks) vectors.Remove((d, c.Index));
                var result = await StoreAsync(tenantId, pending[d], rows, ct);
                reservation?.Stored(pending[d].AddedChunks);
                finished++;
                yield return new IngestionProgress(finished, progress.Documents, embedded, progress.Chunks, result);
            }
        }
        finally
        {
            // Left early (a failed write, a cancelled upload): the batch in flight is not wanted, but its fault is observed.
            _ = ahead?.Vectors.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    // Full batches, then halves towards the end: the documents the last batch completes are written while the model has
    // nothing left to do, so a small last batch leaves the model idle for a few writes instead of a full batch's.
    internal static int NextBatchSize(int remaining, int batchSize) =>
        Math.Min(remaining, Math.Min(batchSize, Math.Max(TailBatchFloor, (remaining + 1) / 2)));

    // The smallest batch the halving goes down to (a model call of fewer texts is not worth its own round).
    private const int TailBatchFloor = 16;

    // Replaces the document's chunks with the embedded ones, with its audit entry in the same transaction.
    private async Task<DocumentIngestResult> StoreAsync(string tenantId, PendingDocument pending, List<StoredChunk> rows, CancellationToken ct)
    {
        var (doc, labelId, hash, _, _, _) = pending;
        var exists = pending.Exists;
        var entry = await AuditEntryAsync(tenantId, null, Describe(doc.DocumentId, doc.Title, doc.Label, rows.Count, doc.Content.Length, hash), ct);
        await store.ReplaceDocumentAsync(tenantId,
            new StoredDocument(doc.DocumentId, doc.Title, labelId, hash, embeddings.ModelId, doc.Content.Length), rows, entry, ct);
        counts.Invalidate(tenantId);
        LogStored(logger, tenantId, doc.DocumentId, rows.Count);
        return new DocumentIngestResult(doc.DocumentId, exists ? IngestStatus.Updated : IngestStatus.Created, rows.Count, PreviousLabel: pending.PreviousLabel);
    }

    /// <summary>Deletes a document and its chunks.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string documentId, CancellationToken ct = default)
    {
        var entry = AuditedRequest.Current is { } r && r.Covers(tenantId) && await store.GetDocumentAsync(tenantId, documentId, ct) is { } existing
            ? await AuditEntryAsync(tenantId, Describe(existing), null, ct)
            : null;
        var deleted = await store.DeleteDocumentAsync(tenantId, documentId, entry, ct);
        if (deleted) counts.Invalidate(tenantId);
        return deleted;
    }

    // An admin request's document change writes its audit entry in the change's transaction: the document's metadata
    // and the SHA-256 of its text, never the text.
    private async Task<AuditWrite?> AuditEntryAsync(string tenantId, JsonNode? before, JsonNode? after, CancellationToken ct) =>
        AuditedRequest.Current is { } request && request.Covers(tenantId) ? await audit.ChangeEntryAsync(request, tenantId, before, after, ct) : null;

    private static JsonObject Describe(DocumentRecord d) => Describe(d.DocumentId, d.Title, d.Label, d.ChunkCount, d.CharCount, d.ContentHash);

    private static JsonObject Describe(string id, string title, string label, int chunks, int chars, byte[] hash) => new()
    {
        ["documentId"] = id, ["title"] = title, ["label"] = label, ["chunks"] = chunks, ["chars"] = chars, ["sha256"] = Convert.ToHexStringLower(hash),
    };

    /// <summary>Null when the upload is usable, else why not.</summary>
    public static string? Validate(DocumentUpload doc) => DocumentRules.Problem(doc.DocumentId, doc.Title, doc.Label, doc.Content)?.Message;

    // A document that needs embedding: its label, content hash and chunks, and the chunk count of the stored one it replaces.
    private sealed record PendingDocument(
        DocumentUpload Doc, short LabelId, byte[] Hash, IReadOnlyList<TextChunk> Chunks, int? Replaces, string? PreviousLabel)
    {
        public bool Exists => Replaces is not null;

        // What storing it adds to the tenant's chunk count (negative when a new version is shorter).
        public long AddedChunks => (long)Chunks.Count - (Replaces ?? 0);
    }

    // One upload's share of the tenant's reservations: each stored document turns its part into stored chunks, and
    // what is left when the upload ends (failed, cancelled) is given back.
    private sealed class UploadReservation(ChunkReservations reservations, long chunks) : IDisposable
    {
        private long _left = chunks;

        public void Stored(long chunks)
        {
            _left -= chunks;
            reservations.Stored(chunks);
        }

        public void Dispose()
        {
            reservations.Release(_left);
            _left = 0;
        }
    }

    // The batch's totals that every progress report carries.
    private readonly record struct IngestionCounts(int Documents, int Chunks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored document {TenantId}/{DocumentId}: {Chunks} chunks")]
    private static partial void LogStored(ILogger logger, string tenantId, string documentId, int chunks);
}
