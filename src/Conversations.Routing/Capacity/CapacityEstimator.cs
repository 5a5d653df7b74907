namespace Conversations.Routing.Capacity;

/// <summary>
/// GPU sizing arithmetic: weights = parameters × bytes per parameter, split over the cards;
/// what is left on each card holds the KV cache; a request of l tokens needs l × KV bytes per token per card, so
/// concurrent requests × l × kv / 2^30 + weights / cards must stay under a card's memory.
/// </summary>
public static class CapacityEstimator
{
    private const double BytesPerGiB = 1024d * 1024 * 1024;

    /// <summary>Weights in GiB: parameters × bytes per parameter / 2^30.</summary>
    public static double WeightsGiB(double parameterCount, double bytesPerParameter) => parameterCount * bytesPerParameter / BytesPerGiB;

    /// <summary>The memory split and the concurrency at each of <paramref name="contextLengths"/>.</summary>
    public static CapacityEstimate Estimate(CapacityInputs inputs, IEnumerable<int> contextLengths)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(contextLengths);
        inputs.Validate();
        var weights = WeightsGiB(inputs.ParameterCount, inputs.BytesPerParameter);
        var weightsPerCard = weights / inputs.GpuCount;
        var kvBudget = (inputs.GpuMemoryGiBPerCard * (1 - inputs.OverheadFraction)) - weightsPerCard;
        var kvPerTokenPerCard = inputs.KvCacheLayout == KvCacheLayout.ReplicatedPerCard
            ? inputs.KvCacheBytesPerToken
            : inputs.KvCacheBytesPerToken / inputs.GpuCount;

        var rows = contextLengths.Select(length =>
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length, nameof(contextLengths));
            var perRequest = length * kvPerTokenPerCard / BytesPerGiB;
            var concurrent = kvBudget <= 0 ? 0 : (int)Math.Floor(kvBudget / perRequest);
            return new ConcurrencyAtLength(length, perRequest, perRequest * inputs.GpuCount, concurrent);
        }).ToArray();

        return new CapacityEstimate(weights, weightsPerCard, Math.Max(0, kvBudget), kvPerTokenPerCard, kvBudget > 0, rows);
    }

    /// <summary>Most requests of <paramref name="contextTokens"/> tokens that fit at once (0 when the weights do not fit).</summary>
    public static int MaxConcurrentRequests(CapacityInputs inputs, int contextTokens) =>
        Estimate(inputs, [contextTokens]).ByContextLength[0].MaxConcurrentRequests;

    /// <summary>Fewest cards (up to <paramref name="maxCards"/>) that serve <paramref name="concurrentRequests"/> requests of <paramref name="contextTokens"/> tokens; null if none do.</summary>
    public static int? MinimumGpuCount(CapacityInputs inputs, int contextTokens, int concurrentRequests, int maxCards = 64)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (var cards = 1; cards <= maxCards; cards++)
        {
            if (MaxConcurrentRequests(inputs with { GpuCount = cards }, contextTokens) >= concurrentRequests)
            {
                return cards;
            }
        }

        return null;
    }
}
