namespace Conversations.Routing.Capacity;

/// <summary>KV-cache bytes per token for the common attention layouts.</summary>
internal static class KvCacheSize
{
    /// <summary>
    /// Multi-head or grouped-query attention: a key and a value vector per layer and KV head,
    /// 2 × layers × kvHeads × headDim × bytesPerElement. For plain MHA kvHeads equals the attention heads; for GQA
    /// it is the number of KV groups. MLA caches a compressed latent instead: give its bytes per token directly.
    /// </summary>
    public static double PerToken(int layers, int kvHeads, int headDim, double bytesPerElement)
    {
        if (layers < 1 || kvHeads < 1 || headDim < 1 || !(bytesPerElement > 0))
        {
            throw new ArgumentException($"Layers {layers}, KV heads {kvHeads}, head dimension {headDim} and bytes per element {bytesPerElement} must be positive.");
        }

        return 2.0 * layers * kvHeads * headDim * bytesPerElement;
    }
}
