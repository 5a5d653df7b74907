using Conversations.Contracts.Knowledge;
using Conversations.Grains.Chat;
using Conversations.Knowledge.Search;
using Conversations.Storage.Knowledge;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// Retrieval with the ACL pushed into the SQL and checked again after it: the user's labels come from the tenant's
/// ACL grain, the plan from the allowed share, vector and full-text hits are fused by reciprocal rank, and every
/// returned row's label is re-checked by the ACL grain (defence in depth: a revoke that lands mid-query still wins).
/// </summary>
internal sealed partial class KnowledgeRetriever(
    IGrainFactory grains, KnowledgeStore store, QuestionEmbeddings embeddings, LabelChunkCounts counts,
    IOptions<KnowledgeOptions> options, ILogger<KnowledgeRetriever> logger) : IKnowledgeRetriever
{
    /// <inheritdoc />
    public Task<RetrievalResult> RetrieveAsync(string tenantId, string userId, string question, int topK, CancellationToken cancellationToken = default) =>
        RetrieveAsync(tenantId, userId, embeddings.For(InputVerdict.Pass(question)), topK, cancellationToken);

    /// <inheritdoc />
    public async Task<RetrievalResult> RetrieveAsync(string tenantId, string userId, QuestionEmbedding embedded, int topK, CancellationToken cancellationToken = default)
    {
        // The full-text half stays in the database and searches the text as the model may see it; the embedding model
        // gets the question as the personal-data policy lets it leave (see QuestionEmbedding.Text).
        var question = embedded.Verdict.TextForModel;
        topK = Math.Min(topK, KnowledgeOptions.MaxTopK);
        if (topK <= 0 || string.IsNullOrWhiteSpace(question)) return RetrievalResult.Empty;
        var acl = grains.GetGrain<ITenantAclGrain>(tenantId);
        var access = await acl.GetUserAccessAsync(userId);
        if (access.LabelIds.Count == 0)
            return new RetrievalResult([], access.AclVersion, RetrievalPlanner.Nothing(0).ToString(), 0);

        var o = options.Value;
        // The vector half reads only chunks of the configured model: the allowed share is of those, in the table's graph.
        var tenantCounts = await counts.GetAsync(tenantId, cancellationToken);
        var allowed = access.LabelIds.Sum(id => tenantCounts.CurrentByLabel.GetValueOrDefault(id));
        var total = tenantCounts.TableChunks;
        // Hybrid search fetches more candidates per half so fusion has something to reorder.
        var candidates = o.HybridSearch ? Math.Max(topK * 2, 10) : topK;
        var plan = RetrievalPlanner.Choose(allowed, total, candidates, o.Planner);

        var vector = await embedded.VectorAsync(cancellationToken);
        var hits = await store.SearchAsync(new KnowledgeQuery(
            tenantId, vector, access.LabelIds, candidates,
            plan.Kind == RetrievalPlanKind.HnswIterative ? VectorSearchMode.HnswIterative : VectorSearchMode.Exact,
            plan.EfSearch, plan.MaxScanTuples,
            o.HybridSearch ? LexicalTerms.ToTsQuery(question) : null, tenantCounts.OtherDimensions), cancellationToken);

        var seenLabels = hits.Vector.Concat(hits.Lexical).Select(h => h.LabelId).Distinct().ToList();
        var check = await acl.FilterReadableAsync(userId, seenLabels);
        var readable = check.ReadableLabelIds.ToHashSet();
        if (readable.Count < seenLabels.Count) LogDropped(logger, tenantId, userId, seenLabels.Count - readable.Count, access.AclVersion, check.AclVersion);

        var names = access.LabelIds.Zip(access.Labels).ToDictionary(p => p.First, p => p.Second);
        var vectorHits = hits.Vector.Where(h => readable.Contains(h.LabelId)).ToList();
        var lexicalHits = hits.Lexical.Where(h => readable.Contains(h.LabelId)).ToList();
        var byKey = new Dictionary<(string, int), ChunkHit>();
        foreach (var h in lexicalHits.Concat(vectorHits)) byKey[(h.DocumentId, h.ChunkIndex)] = h;
        var similarity = vectorHits.ToDictionary(h => (h.DocumentId, h.ChunkIndex), h => 1 - h.Score);
        var fused = ReciprocalRankFusion.Fuse([
            vectorHits.Select(h => (h.DocumentId, h.ChunkIndex)).ToList(),
            lexicalHits.Select(h => (h.DocumentId, h.ChunkIndex)).ToList()]);

        var chunks = fused.Take(topK).Select(f =>
        {
            var h = byKey[f.Key];
            return new KnowledgeChunk(h.DocumentId, h.Title, h.ChunkIndex, h.Content, Math.Round(f.Score, 6),
                names.GetValueOrDefault(h.LabelId, ""), similarity.TryGetValue(f.Key, out var s) ? Math.Round(s, 6) : null);
        }).ToList();
        return new RetrievalResult(chunks, check.AclVersion, plan.ToString(), Math.Round(plan.AllowedShare, 6));
    }

    /// <inheritdoc />
    public async Task<KnowledgeChunk?> ReadPassageAsync(string tenantId, string userId, string documentId, int chunkIndex, CancellationToken cancellationToken = default)
    {
        var acl = grains.GetGrain<ITenantAclGrain>(tenantId);
        var access = await acl.GetUserAccessAsync(userId);
        var hit = await store.ReadChunkAsync(tenantId, documentId, chunkIndex, access.LabelIds, cancellationToken);
        if (hit is null) return null;
        var check = await acl.FilterReadableAsync(userId, [hit.LabelId]);
        if (!check.ReadableLabelIds.Contains(hit.LabelId)) return null;
        var label = access.LabelIds.Zip(access.Labels).FirstOrDefault(p => p.First == hit.LabelId).Second ?? "";
        return new KnowledgeChunk(hit.DocumentId, hit.Title, hit.ChunkIndex, hit.Content, 0, label, null);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "ACL re-check dropped rows of {Count} labels for {TenantId}/{UserId} (ACL version {Before} → {After})")]
    private static partial void LogDropped(ILogger logger, string tenantId, string userId, int count, long before, long after);
}
