using System.Collections.Concurrent;
using Conversations.Grains.Routing;
using Conversations.Storage.Routing;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.AnswerCache;

/// <summary>Each silo's briefly cached knowledge-base fingerprint per tenant (part of every answer-cache key).</summary>
internal sealed class KnowledgeVersions(RoutingStore store, IOptions<RoutingOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (long Version, DateTimeOffset At)> _versions = new(StringComparer.Ordinal);

    /// <summary>The tenant's knowledge-base version, at most <see cref="RoutingOptions.KnowledgeVersionCacheTtl"/> old.</summary>
    public async ValueTask<long> GetAsync(string tenantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_versions.TryGetValue(tenantId, out var hit) && now - hit.At < options.Value.KnowledgeVersionCacheTtl) return hit.Version;
        var version = await store.KnowledgeVersionAsync(tenantId, ct);
        _versions[tenantId] = (version, now);
        return version;
    }
}
