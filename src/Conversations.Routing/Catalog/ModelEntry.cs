namespace Conversations.Routing.Catalog;

/// <summary>
/// One model a tenant may call: where it is, what it is good at and what it costs.
/// Prices are USD per million tokens; <see cref="CachedInputPerMillion"/> applies to prompt tokens the provider
/// served from its context cache, <see cref="BatchDiscount"/> is the fraction taken off every price for offline
/// batch calls (0.5 = half price). <see cref="Vision"/> marks a model that reads images in a message.
/// </summary>
public sealed record ModelEntry(
    string Id,
    string Endpoint,
    string ModelName,
    ModelTier Tier,
    IReadOnlyList<string> Domains,
    decimal InputPerMillion,
    decimal CachedInputPerMillion,
    decimal OutputPerMillion,
    int ContextWindowTokens,
    decimal BatchDiscount = 0m,
    bool Vision = false)
{
    /// <summary>Whether this model serves <paramref name="domain"/> (case-insensitive).</summary>
    public bool Serves(string domain) =>
        Domains.Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase));
}
