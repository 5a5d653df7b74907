namespace Conversations.Routing.Cost;

/// <summary>
/// Tokens of one call as providers report them: <see cref="CachedPromptTokens"/> is the part of
/// <see cref="PromptTokens"/> served from the provider's context cache (OpenAI's usage.prompt_tokens_details.cached_tokens).
/// </summary>
public sealed record TokenCounts(int PromptTokens, int CachedPromptTokens, int CompletionTokens)
{
    /// <summary>No tokens.</summary>
    public static readonly TokenCounts None = new(0, 0, 0);

    /// <summary>Throws <see cref="ArgumentException"/> for negative counts or more cached than prompt tokens.</summary>
    public void Validate()
    {
        if (PromptTokens < 0 || CachedPromptTokens < 0 || CompletionTokens < 0)
        {
            throw new ArgumentException($"Token counts must not be negative ({PromptTokens}, {CachedPromptTokens}, {CompletionTokens}).");
        }

        if (CachedPromptTokens > PromptTokens)
        {
            throw new ArgumentException($"Cached prompt tokens {CachedPromptTokens} exceed prompt tokens {PromptTokens}; cached tokens are part of the prompt.");
        }
    }
}
