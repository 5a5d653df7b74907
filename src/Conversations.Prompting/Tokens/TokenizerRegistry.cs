using System.Collections.Concurrent;

namespace Conversations.Prompting.Tokens;

/// <summary>
/// Maps model ids to tiktoken encodings and hands out one shared <see cref="TokenCounter"/> per encoding.
/// Unknown models (Qwen, DeepSeek, local models) use o200k_base: their own tokenizers are not tiktoken, and o200k's
/// large vocabulary counts Chinese and English close to them; budgets keep a margin for the difference.
/// </summary>
internal sealed class TokenizerRegistry
{
    /// <summary>The built-in model-prefix → encoding table, matched longest prefix first, case-insensitive.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultModelEncodings = new Dictionary<string, string>
    {
        ["gpt-4o"] = TokenCounter.O200kBase,
        ["gpt-4.1"] = TokenCounter.O200kBase,
        ["gpt-4.5"] = TokenCounter.O200kBase,
        ["gpt-5"] = TokenCounter.O200kBase,
        ["o1"] = TokenCounter.O200kBase,
        ["o3"] = TokenCounter.O200kBase,
        ["o4"] = TokenCounter.O200kBase,
        ["qwen"] = TokenCounter.O200kBase,
        ["gpt-4"] = TokenCounter.Cl100kBase,
        ["gpt-3.5"] = TokenCounter.Cl100kBase,
        ["gpt-35"] = TokenCounter.Cl100kBase,
        ["text-embedding-3"] = TokenCounter.Cl100kBase,
        ["text-embedding-ada-002"] = TokenCounter.Cl100kBase,
    };

    private static readonly Lazy<TokenizerRegistry> SharedInstance = new(() => new TokenizerRegistry());

    private readonly KeyValuePair<string, string>[] _prefixes;
    private readonly string _defaultEncoding;
    private readonly ConcurrentDictionary<string, Lazy<TokenCounter>> _counters = new(StringComparer.Ordinal);

    /// <summary>A registry with the built-in table, or <paramref name="modelEncodings"/> (model-id prefix → encoding) on top of it.</summary>
    public TokenizerRegistry(IReadOnlyDictionary<string, string>? modelEncodings = null, string defaultEncoding = TokenCounter.O200kBase)
    {
        var table = new Dictionary<string, string>(DefaultModelEncodings, StringComparer.OrdinalIgnoreCase);
        foreach (var (prefix, encoding) in modelEncodings ?? new Dictionary<string, string>())
            table[prefix] = encoding;
        _prefixes = table.OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        _defaultEncoding = defaultEncoding;
    }

    /// <summary>One process-wide registry with the built-in table.</summary>
    public static TokenizerRegistry Shared => SharedInstance.Value;

    /// <summary>The encoding used for <paramref name="modelId"/> (the default encoding when unknown or empty).</summary>
    public string EncodingForModel(string? modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId)) return _defaultEncoding;
        var id = modelId.Trim();
        // Deployment names often carry a provider prefix ("openai/gpt-4o", "azure:gpt-4"): match the last segment.
        var slash = id.LastIndexOfAny(['/', ':']);
        if (slash >= 0 && slash < id.Length - 1) id = id[(slash + 1)..];
        foreach (var (prefix, encoding) in _prefixes)
            if (id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return encoding;
        return _defaultEncoding;
    }

    /// <summary>The shared counter for <paramref name="modelId"/>'s encoding.</summary>
    public ITokenCounter ForModel(string? modelId) => ForEncoding(EncodingForModel(modelId));

    /// <summary>The shared counter for a named encoding, created on first use.</summary>
    public ITokenCounter ForEncoding(string encodingName) =>
        _counters.GetOrAdd(encodingName, name => new Lazy<TokenCounter>(() => new TokenCounter(name))).Value;
}
