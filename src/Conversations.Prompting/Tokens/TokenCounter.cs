using Microsoft.ML.Tokenizers;

namespace Conversations.Prompting.Tokens;

/// <summary>
/// Token counter over a tiktoken encoding (o200k_base by default). Building the tokenizer loads a large vocabulary,
/// so get instances from <see cref="TokenizerRegistry"/> and share them; counting is thread-safe.
/// </summary>
public sealed class TokenCounter : ITokenCounter
{
    /// <summary>The default encoding: GPT-4o family; also a close stand-in for Qwen and other 150k+ vocabularies.</summary>
    public const string O200kBase = "o200k_base";

    /// <summary>The GPT-4 / GPT-3.5 encoding.</summary>
    public const string Cl100kBase = "cl100k_base";

    private readonly Tokenizer _tokenizer;

    /// <summary>Loads the named tiktoken encoding from its data package (expensive: do it once per process).</summary>
    public TokenCounter(string encodingName = O200kBase)
    {
        _tokenizer = TiktokenTokenizer.CreateForEncoding(encodingName);
        EncodingName = encodingName;
    }

    /// <inheritdoc />
    public string EncodingName { get; }

    /// <inheritdoc />
    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.CountTokens(text);

    /// <inheritdoc />
    public string KeepStart(string text, int maxTokens)
    {
        if (maxTokens <= 0 || text.Length == 0) return "";
        var index = _tokenizer.GetIndexByTokenCount(text, maxTokens, out _, out _);
        return text[..index];
    }

    /// <inheritdoc />
    public string KeepEnd(string text, int maxTokens)
    {
        if (maxTokens <= 0 || text.Length == 0) return "";
        var index = _tokenizer.GetIndexByTokenCountFromEnd(text, maxTokens, out _, out _);
        return text[index..];
    }
}
