using System.Text;
using Conversations.Prompting.Tokens;

namespace Conversations.Knowledge.Chunking;

/// <summary>
/// Splits plain text or Markdown into chunks of at most <see cref="ChunkerOptions.MaxTokens"/> tokens on paragraph and
/// sentence boundaries, repeating about <see cref="ChunkerOptions.OverlapTokens"/> tokens of the previous chunk's end.
/// Markdown headings are carried into every chunk under them so a chunk still says what it is about.
/// </summary>
public sealed class TextChunker
{
    private readonly ITokenCounter _tokens;
    private readonly ChunkerOptions _options;

    /// <summary>Creates a chunker that measures with <paramref name="tokens"/>.</summary>
    public TextChunker(ITokenCounter tokens, ChunkerOptions? options = null)
    {
        _tokens = tokens;
        _options = options ?? new ChunkerOptions();
        _options.Validate();
    }

    /// <summary>The chunks of <paramref name="text"/>, in order; empty for blank text.</summary>
    public IReadOnlyList<TextChunk> Chunk(string text)
    {
        var chunks = new List<TextChunk>();
        var body = new List<(string Text, int Tokens)>();
        var freshPieces = 0; // pieces added since the last chunk; the rest of body is carried overlap
        var heading = "";
        var headingTokens = 0;

        int BodyTokens() => body.Sum(b => b.Tokens + 1);

        void Emit()
        {
            if (freshPieces == 0) return;
            var chunkText = heading.Length > 0 ? heading + "\n" + Join(body) : Join(body);
            chunks.Add(new TextChunk(chunks.Count, chunkText, _tokens.Count(chunkText)));
            body = Overlap(body);
            freshPieces = 0;
        }

        foreach (var block in Blocks(text))
        {
            if (IsHeading(block))
            {
                Emit();
                body.Clear(); // no overlap across sections: the new heading changes the subject
                heading = _tokens.KeepStart(block, _options.MaxTokens / 4);
                headingTokens = _tokens.Count(heading) + 1;
                continue;
            }
            var budget = _options.MaxTokens - headingTokens;
            foreach (var piece in Pieces(block, budget - 1))
            {
                var pieceTokens = _tokens.Count(piece);
                if (BodyTokens() + pieceTokens + 1 > budget) Emit();
                // The carried overlap plus this piece may still not fit: drop the overlap rather than exceed the size.
                if (BodyTokens() + pieceTokens + 1 > budget) body.Clear();
                body.Add((piece, pieceTokens));
                freshPieces++;
            }
        }
        Emit();
        return chunks;
    }

    private static string Join(List<(string Text, int Tokens)> body) => string.Join(" ", body.Select(b => b.Text));

    // The last pieces of a chunk that fit in the overlap; the end of the last piece when even that one is too long.
    private List<(string Text, int Tokens)> Overlap(List<(string Text, int Tokens)> body)
    {
        var keep = new List<(string Text, int Tokens)>();
        if (_options.OverlapTokens == 0) return keep;
        var kept = 0;
        for (var i = body.Count - 1; i >= 0; i--)
        {
            if (kept + body[i].Tokens + 1 > _options.OverlapTokens)
            {
                if (keep.Count == 0)
                {
                    var tail = _tokens.KeepEnd(body[i].Text, _options.OverlapTokens - 1).TrimStart();
                    if (tail.Length > 0) keep.Add((tail, _tokens.Count(tail)));
                }
                break;
            }
            keep.Insert(0, body[i]);
            kept += body[i].Tokens + 1;
        }
        return keep;
    }

    private static bool IsHeading(string block) => block.StartsWith('#') && !block.Contains('\n');

    // Paragraphs (blank-line separated); a Markdown heading line is always a block of its own.
    private static IEnumerable<string> Blocks(string text)
    {
        var current = new StringBuilder();
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                if (current.Length > 0) { yield return current.ToString(); current.Clear(); }
                if (line.Length > 0) yield return line.Trim();
                continue;
            }
            if (current.Length > 0) current.Append('\n');
            current.Append(line.Trim());
        }
        if (current.Length > 0) yield return current.ToString();
    }

    // Generous characters per token: a window of budget × this many characters holds at least a budget of ordinary text.
    private const int WindowCharsPerToken = 8;

    // Sentences of a block, each cut further by tokens when a single sentence exceeds the budget. An over-long sentence
    // is first cut into windows of characters: the tokenizer's cost grows with the square of a word's length, so a
    // word of tens of thousands of characters, counted whole for every piece, would hold the ingestion for minutes.
    private IEnumerable<string> Pieces(string block, int budget)
    {
        foreach (var sentence in Sentences(block).SelectMany(s => Windows(s, budget * WindowCharsPerToken)))
        {
            var rest = sentence;
            while (_tokens.Count(rest) > budget)
            {
                var head = _tokens.KeepStart(rest, budget);
                var cut = head.LastIndexOf(' ');
                if (cut > head.Length / 2) head = head[..cut]; // prefer a word boundary when one is near
                if (head.Length == 0) head = rest[..1];
                yield return head.Trim();
                rest = rest[head.Length..].TrimStart();
            }
            if (rest.Length > 0) yield return rest;
        }
    }

    // Slices of at most maxChars characters, cut at the last space of a slice when one is in its second half.
    private static IEnumerable<string> Windows(string sentence, int maxChars)
    {
        var rest = sentence.AsMemory();
        while (rest.Length > maxChars)
        {
            var cut = rest.Span[..maxChars].LastIndexOf(' ');
            if (cut <= maxChars / 2) cut = char.IsHighSurrogate(rest.Span[maxChars - 1]) ? maxChars - 1 : maxChars; // never half a pair
            yield return rest[..cut].ToString().Trim();
            rest = rest[cut..].TrimStart();
        }
        if (rest.Length > 0) yield return rest.ToString();
    }

    // Ends a sentence after . ! ? (and their CJK forms) followed by space, or a line break.
    private static IEnumerable<string> Sentences(string block)
    {
        var start = 0;
        for (var i = 0; i < block.Length; i++)
        {
            var c = block[i];
            var end = c == '\n'
                || (c is '.' or '!' or '?' && i + 1 < block.Length && char.IsWhiteSpace(block[i + 1]))
                || c is '。' or '！' or '？';
            if (!end) continue;
            var s = block[start..(i + 1)].Trim();
            if (s.Length > 0) yield return s;
            start = i + 1;
        }
        var last = block[start..].Trim();
        if (last.Length > 0) yield return last;
    }
}
