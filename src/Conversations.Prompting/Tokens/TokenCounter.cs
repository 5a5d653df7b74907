using System.Buffers;
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
    public int Count(string text)
    {
        if (text.Length == 0) return 0;
        var total = 0;
        foreach (var (start, end) in Segments(text)) total += _tokenizer.CountTokens(text.AsSpan(start, end - start));
        return total;
    }

    /// <inheritdoc />
    public string KeepStart(string text, int maxTokens)
    {
        if (maxTokens <= 0 || text.Length == 0) return "";
        var used = 0;
        foreach (var (start, end) in Segments(text))
        {
            var segment = text.AsSpan(start, end - start);
            var count = _tokenizer.CountTokens(segment);
            if (used + count <= maxTokens)
            {
                used += count;
                continue;
            }
            return used == maxTokens ? text[..start] : text[..(start + _tokenizer.GetIndexByTokenCount(segment, maxTokens - used, out _, out _))];
        }
        return text;
    }

    /// <inheritdoc />
    public string KeepEnd(string text, int maxTokens)
    {
        if (maxTokens <= 0 || text.Length == 0) return "";
        var used = 0;
        var segments = Segments(text);
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            var (start, end) = segments[i];
            var segment = text.AsSpan(start, end - start);
            var count = _tokenizer.CountTokens(segment);
            if (used + count <= maxTokens)
            {
                used += count;
                continue;
            }
            return used == maxTokens ? text[end..] : text[(start + _tokenizer.GetIndexByTokenCountFromEnd(segment, maxTokens - used, out _, out _))..];
        }
        return text;
    }

    // Byte-pair merging costs the square of a word's length, and a word is whatever runs without whitespace: a model (or a
    // document) that sends megabytes with no space would hold a core for hours. No real word is this long; a longer run
    // is counted in pieces of this size (a token or so off at each cut, where the text is nonsense anyway).
    internal const int LongestWord = 256;

    private static readonly SearchValues<char> Whitespace = SearchValues.Create(" \t\r\n\f\v\u00a0\u3000");

    // The text as ranges to encode one by one: the whole text when no run is longer than LongestWord (nearly always),
    // else the stretches between such runs, and each long run in LongestWord pieces.
    private static List<(int Start, int End)> Segments(string text)
    {
        var segments = new List<(int, int)>(1);
        var (stretch, position) = (0, 0);
        while (position < text.Length)
        {
            var next = text.AsSpan(position).IndexOfAny(Whitespace);
            var runEnd = next < 0 ? text.Length : position + next;
            if (runEnd - position > LongestWord)
            {
                if (position > stretch) segments.Add((stretch, position));
                for (var cut = position; cut < runEnd;)
                {
                    var end = Math.Min(runEnd, cut + LongestWord);
                    if (end < runEnd && char.IsLowSurrogate(text[end])) end++; // never split a surrogate pair
                    segments.Add((cut, end));
                    cut = end;
                }
                stretch = runEnd;
            }
            position = runEnd + 1;
        }
        if (stretch < text.Length) segments.Add((stretch, text.Length));
        return segments;
    }
}
