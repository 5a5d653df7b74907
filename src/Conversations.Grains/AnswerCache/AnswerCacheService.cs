using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Routing;
using Conversations.Grains.Knowledge;
using Conversations.Grains.Telemetry;
using Conversations.Routing.Caching;
using Conversations.Storage.Routing;
using RoutingContext = Conversations.Grains.Chat.RoutingContext;

namespace Conversations.Grains.AnswerCache;

/// <summary>The cache keys a turn may read and write: shared by users with the same readable labels, or private to the asker.</summary>
internal sealed record CacheKeys(string SharedExact, string PrivateExact, string SharedScope, string PrivateScope);

/// <summary>A cache answer for a turn (or none) and the keys under which this turn's answer may be stored.</summary>
internal sealed record CacheLookup(CachedAnswer? Hit, string? Source, CacheKeys Keys);

/// <summary>
/// The exact and semantic answer caches of stage 6 (docs/architecture.md). Scope = tenant + the asker's readable-label set +
/// knowledge-base version (see <see cref="AnswerScope"/>), so an answer is shared only between users who would
/// retrieve the same chunks. An answer is shared at a scope only when every input of its prompt is shared there:
/// only first questions of a conversation are cached at all (no summary or earlier turns in the prompt), and an
/// answer whose prompt carried the asker's memory, or whose question carries identifiers or personal data
/// (<see cref="QuestionIdentifiers"/>), is stored privately to the asker at their memory epoch. On a hit, every chunk
/// the answer was built from is checked again against the asker's labels; any doubt is a miss.
/// </summary>
internal sealed class AnswerCacheService(
    IGrainFactory grains,
    AnswerCacheStore store,
    RoutingStore routing,
    KnowledgeVersions versions,
    QuestionEmbeddings embeddings)
{
    /// <summary>Looks the question up in the caches the policy turns on.</summary>
    public async Task<CacheLookup> LookupAsync(RoutingContext context, RoutingPolicySettings policy, CancellationToken ct)
    {
        var tenantId = context.Caller.TenantId;
        var access = await grains.GetGrain<ITenantAclGrain>(tenantId).GetUserAccessAsync(context.Caller.UserId);
        var scope = AnswerScope.Create(tenantId, access.Labels, await versions.GetAsync(tenantId, ct));
        var mine = scope.PrivateTo(context.Caller.UserId, context.MemoryEpoch);
        var keys = new CacheKeys(AnswerCacheKey.ForQuestion(scope, context.Question), AnswerCacheKey.ForQuestion(mine, context.Question),
            AnswerCacheKey.ForSimilarQuestions(scope, context.Question, embeddings.Model?.ModelId),
            AnswerCacheKey.ForSimilarQuestions(mine, context.Question, embeddings.Model?.ModelId));

        if (policy.ExactCache && await store.GetExactAsync(tenantId, [keys.PrivateExact, keys.SharedExact], ct) is { } exact
            && await ReadableAsync(tenantId, exact, access.Labels, ct))
            return Counted(new CacheLookup(exact, "exact-cache", keys));

        if (policy.SemanticCache && embeddings.Model is not null)
        {
            var vector = await context.Embedding.VectorAsync(ct);
            if (await store.FindSimilarAsync(tenantId, [keys.PrivateScope, keys.SharedScope], vector, policy.SemanticThreshold, ct) is { } similar
                && await ReadableAsync(tenantId, similar, access.Labels, ct))
                return Counted(new CacheLookup(similar, "semantic-cache", keys));
        }
        return Counted(new CacheLookup(null, null, keys));
    }

    private static CacheLookup Counted(CacheLookup lookup)
    {
        PlatformMetrics.AnswerCacheLookups.Add(1, new KeyValuePair<string, object?>("result", lookup.Source ?? "miss"));
        return lookup;
    }

    /// <summary>
    /// Stores a finished first-turn answer under the shared keys, or under the asker's private ones when the prompt
    /// carried their private context or the question carries identifiers.
    /// </summary>
    public async Task StoreAsync(RoutingContext context, RoutingPolicySettings policy, CacheKeys keys, string answer, string modelId, CancellationToken ct)
    {
        if (context.ConversationDepth > 0) return; // a follow-up's prompt carried earlier turns or a summary
        var tenantId = context.Caller.TenantId;
        var personal = context.PrivateContext || QuestionIdentifiers.IsPersonal(context.Question);
        var entry = new CachedAnswer(answer, modelId, context.ChunkIds, 1);
        var ttl = TimeSpan.FromSeconds(policy.CacheTtlSeconds);
        if (policy.ExactCache) await store.PutExactAsync(tenantId, personal ? keys.PrivateExact : keys.SharedExact, context.Question, entry, ttl, ct);
        if (policy.SemanticCache && embeddings.Model is not null)
            await store.PutSimilarAsync(tenantId, personal ? keys.PrivateScope : keys.SharedScope, context.Question, await context.Embedding.VectorAsync(ct), entry, ttl, ct);
    }

    // Defence in depth: the scope already guarantees this; a relabeled or deleted document turns the hit into a miss.
    private async Task<bool> ReadableAsync(string tenantId, CachedAnswer hit, IReadOnlyList<string> readable, CancellationToken ct)
    {
        if (hit.ChunkIds.Count == 0) return true;
        var documents = hit.ChunkIds.Select(DocumentOf).Distinct(StringComparer.Ordinal).ToList();
        var labels = await routing.DocumentLabelsAsync(tenantId, documents, ct);
        return documents.All(d => labels.TryGetValue(d, out var label) && readable.Contains(label, StringComparer.Ordinal));
    }

    /// <summary>The document id of a "document#chunk" id.</summary>
    public static string DocumentOf(string chunkId)
    {
        var hash = chunkId.LastIndexOf('#');
        return hash > 0 ? chunkId[..hash] : chunkId;
    }
}
