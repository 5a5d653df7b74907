using System.Collections.Concurrent;
using Conversations.Storage.Knowledge;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// Chunks per label per tenant (and the tables a search reads), for choosing a query plan. Cached briefly: a stale count only changes which plan runs
/// (both return only allowed rows), so it never costs correctness.
/// </summary>
internal sealed class LabelChunkCounts(KnowledgeStore store, IOptions<KnowledgeOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (KnowledgeCounts Counts, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>The tenant's counts, from the cache when fresh.</summary>
    public async ValueTask<KnowledgeCounts> GetAsync(string tenantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var hit) && hit.Expires > now) return hit.Counts;
        var counts = await store.CountChunksAsync(tenantId, ct);
        _cache[tenantId] = (counts, now + options.Value.LabelCountsTtl);
        return counts;
    }

    /// <summary>Forgets a tenant's counts (after an upload, a delete or a re-embedded batch).</summary>
    public void Invalidate(string tenantId) => _cache.TryRemove(tenantId, out _);
}
