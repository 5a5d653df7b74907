namespace Conversations.Routing.Capacity;

/// <summary>How a model's KV cache is spread over the cards serving it.</summary>
public enum KvCacheLayout
{
    /// <summary>Every card holds the whole per-token cache (MLA's latent cache under tensor parallelism, e.g. DeepSeek-R1's ~70 KB per token on every card).</summary>
    ReplicatedPerCard = 0,

    /// <summary>Cards split the cache between them (MHA/GQA heads divided by tensor parallelism).</summary>
    ShardedAcrossCards = 1,
}
