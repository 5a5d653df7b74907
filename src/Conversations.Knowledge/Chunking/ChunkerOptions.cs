namespace Conversations.Knowledge.Chunking;

/// <summary>Sizes of knowledge-base chunks, in tokens of the platform's token counter.</summary>
public sealed record ChunkerOptions
{
    /// <summary>Default chunk size: comfortably under all-MiniLM-L6-v2's 256 word-piece input limit.</summary>
    public const int DefaultMaxTokens = 160;
    /// <summary>Default overlap: enough to keep a sentence that straddles a boundary whole in one of the two chunks.</summary>
    public const int DefaultOverlapTokens = 32;

    /// <summary>Largest chunk, in tokens.</summary>
    public int MaxTokens { get; init; } = DefaultMaxTokens;

    /// <summary>Tokens from the end of one chunk repeated at the start of the next.</summary>
    public int OverlapTokens { get; init; } = DefaultOverlapTokens;

    /// <summary>Throws when the sizes cannot make progress.</summary>
    public void Validate()
    {
        if (MaxTokens < 8) throw new ArgumentException("Chunk size must be at least 8 tokens.");
        if (OverlapTokens < 0 || OverlapTokens >= MaxTokens / 2)
            throw new ArgumentException("Chunk overlap must be at least 0 and less than half the chunk size.");
    }
}
