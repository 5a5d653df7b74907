namespace Conversations.TestModel.Caching;

/// <summary>How the test server imitates a provider's prompt (context) cache.</summary>
public sealed record PromptCacheOptions
{
    /// <summary>OpenAI caches only prompts of at least this many tokens.</summary>
    public const int DefaultMinimumTokens = 1024;

    /// <summary>OpenAI reports cache hits in steps of this many tokens.</summary>
    public const int DefaultBlockTokens = 128;

    /// <summary>Block hashes remembered per model before the oldest are forgotten.</summary>
    public const int DefaultCapacityBlocks = 500_000;

    /// <summary>Report cached tokens at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Shared prefixes shorter than this report no cached tokens.</summary>
    public int MinimumTokens { get; init; } = DefaultMinimumTokens;

    /// <summary>Cached tokens are a whole number of blocks of this size.</summary>
    public int BlockTokens { get; init; } = DefaultBlockTokens;

    /// <summary>Bound on remembered block hashes per model (oldest first out).</summary>
    public int CapacityBlocks { get; init; } = DefaultCapacityBlocks;
}
