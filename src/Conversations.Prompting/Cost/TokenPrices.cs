namespace Conversations.Prompting.Cost;

/// <summary>
/// Prices per million tokens for one model. Cached input is billed apart from fresh input: e.g. Qwen-Max bills
/// cached tokens at 40 % of the input price, which is what keeping the prompt prefix byte-stable earns.
/// </summary>
/// <param name="InputPerMillion">Price of a million fresh prompt tokens.</param>
/// <param name="CachedInputPerMillion">Price of a million prompt tokens served from the provider's cache.</param>
/// <param name="OutputPerMillion">Price of a million completion tokens.</param>
public sealed record TokenPrices(decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion)
{
    /// <summary>Relative prices (input 1, cached 0.4, output 4) for comparing strategies when real prices do not matter.</summary>
    public static TokenPrices Relative { get; } = new(1m, 0.4m, 4m);

    /// <summary>Cost of one call; <paramref name="cachedTokens"/> are part of <paramref name="promptTokens"/>.</summary>
    public decimal Cost(int promptTokens, int cachedTokens, int completionTokens)
    {
        var cached = Math.Clamp(cachedTokens, 0, promptTokens);
        return ((promptTokens - cached) * InputPerMillion + cached * CachedInputPerMillion + completionTokens * OutputPerMillion) / 1_000_000m;
    }
}
