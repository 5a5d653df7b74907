namespace Conversations.Routing;

/// <summary>How a model's KV cache is spread over the cards serving it.</summary>
public enum KvCacheLayout
{
    /// <summary>Every card holds the whole per-token cache (MLA's latent cache under tensor parallelism; the seed's 70 KB "in a single card").</summary>
    ReplicatedPerCard = 0,

    /// <summary>Cards split the cache between them (MHA/GQA heads divided by tensor parallelism).</summary>
    ShardedAcrossCards = 1,
}
