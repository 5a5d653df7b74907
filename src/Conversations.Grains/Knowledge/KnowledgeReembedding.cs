using Conversations.Contracts.Knowledge;
using Conversations.Models.Embeddings;
using Conversations.Storage.Knowledge;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// One batch of a tenant's re-embedding: the next chunks another model embedded are embedded again with the configured
/// model and written back (<see cref="KnowledgeStore.ReadStaleAsync"/>, <see cref="KnowledgeStore.WriteReembeddedAsync"/>).
/// Runs inside the tenant's <see cref="IKnowledgeBaseGrain"/>, as uploads do.
/// </summary>
internal sealed partial class KnowledgeReembedding(
    KnowledgeStore store, EmbeddingModel embeddings, LabelChunkCounts counts, IOptions<KnowledgeOptions> options, ILogger<KnowledgeReembedding> logger)
{
    /// <summary>Re-embeds one batch; returns the chunks and documents it moved on (0 when nothing is left to do).</summary>
    public async Task<int> RunBatchAsync(string tenantId, CancellationToken ct = default)
    {
        var batch = await store.ReadStaleAsync(tenantId, options.Value.ReembedBatchChunks, ct);
        if (batch.Documents.Count == 0) return 0;
        var vectors = batch.Chunks.Count == 0 ? [] : await embeddings.EmbedAsync(batch.Chunks.Select(c => c.Text).ToList(), tenantId, ct);
        var finished = await store.WriteReembeddedAsync(tenantId, batch, vectors, ct);
        counts.Invalidate(tenantId);
        LogBatch(logger, tenantId, batch.Chunks.Count, finished, store.EmbeddingModel);
        return batch.Chunks.Count + finished;
    }

    /// <summary>The tenant's backlog against the configured model.</summary>
    public async Task<EmbeddingStatus> StatusAsync(string tenantId, CancellationToken ct = default)
    {
        var backlog = await store.BacklogAsync(tenantId, ct);
        var limit = options.Value.MaxChunksPerTenant;
        return new EmbeddingStatus(store.EmbeddingModel, store.Dimensions, backlog.StaleDocuments, backlog.StaleChunks, options.Value.ReembedEnabled)
        {
            Chunks = await store.CountAllChunksAsync(tenantId, ct),
            ChunkLimit = limit > 0 ? limit : null,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-embedded {Chunks} chunks of {TenantId} with {Model}; {Finished} documents finished")]
    private static partial void LogBatch(ILogger logger, string tenantId, int chunks, int finished, string model);
}

/// <summary>
/// After a switch of <c>Models:Embeddings</c>, re-embeds the chunks the earlier model made: tenant by tenant, each
/// through its own knowledge-base grain, a batch per call, until none is left; then looks again every
/// <see cref="KnowledgeOptions.ReembedScanInterval"/>. Every silo runs it; the tenant's grain does one batch at a time,
/// and what is done is in the rows, so a silo that stops midway loses at most a batch and any silo goes on from there.
/// </summary>
internal sealed partial class KnowledgeReembedService(
    KnowledgeStore store, IGrainFactory grains, IOptions<KnowledgeOptions> options, IHostApplicationLifetime lifetime,
    ILogger<KnowledgeReembedService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.ReembedEnabled) return;
        // Grain calls need the silo, which starts after this service.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var tenant in await store.TenantsWithStaleDocumentsAsync(stoppingToken))
                {
                    // One tenant's failure (its grain, a chunk the model refuses) must not hold back the tenants after it.
                    try { await ReembedTenantAsync(tenant, o.ReembedPause, stoppingToken); }
                    catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        LogFailed(logger, tenant, e);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogScanFailed(logger, e);
            }
            await Task.Delay(o.ReembedScanInterval, stoppingToken);
        }
    }

    private async Task ReembedTenantAsync(string tenantId, TimeSpan pause, CancellationToken ct)
    {
        var grain = grains.GetGrain<IKnowledgeBaseGrain>(tenantId);
        LogStarted(logger, tenantId, store.EmbeddingModel);
        while (await grain.ReembedBatchAsync() > 0)
            if (pause > TimeSpan.Zero) await Task.Delay(pause, ct);
            else ct.ThrowIfCancellationRequested();
        LogDone(logger, tenantId, store.EmbeddingModel);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-embedding the knowledge base of {TenantId} with {Model}")]
    private static partial void LogStarted(ILogger logger, string tenantId, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "The knowledge base of {TenantId} is embedded with {Model}")]
    private static partial void LogDone(ILogger logger, string tenantId, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-embedding the knowledge base of {TenantId} stopped; it goes on at the next scan")]
    private static partial void LogFailed(ILogger logger, string tenantId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing the knowledge bases to re-embed failed; the next scan tries again")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
