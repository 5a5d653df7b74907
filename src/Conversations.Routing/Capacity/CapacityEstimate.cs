namespace Conversations.Routing.Capacity;

/// <summary>How many requests of <see cref="ContextTokens"/> tokens fit at once, and the KV memory one of them takes.</summary>
public sealed record ConcurrencyAtLength(int ContextTokens, double KvPerRequestPerCardGiB, double KvPerRequestAllCardsGiB, int MaxConcurrentRequests);

/// <summary>
/// Memory per card (GiB): the weights' share, what is left for the KV cache, and the concurrency per context length.
/// <see cref="Fits"/> is false when the weights alone do not fit.
/// </summary>
public sealed record CapacityEstimate(
    double WeightsGiB,
    double WeightsPerCardGiB,
    double KvBudgetPerCardGiB,
    double KvBytesPerTokenPerCard,
    bool Fits,
    IReadOnlyList<ConcurrencyAtLength> ByContextLength);
