using Conversations.Moderation.Engine;
using Conversations.Moderation.Lexicons;

namespace Conversations.Moderation.Streaming;

/// <summary>Moderates a streamed answer as it arrives: releases text sentence by sentence, masked, and stops on a block.</summary>
/// <remarks>
/// Held back is at most the current unfinished sentence (ends: . ! ? followed by whitespace, 。！？ and newline),
/// or, in a stream without sentence ends, all but a short tail once <see cref="StreamingFilterOptions.MaxHoldChars"/>
/// is reached. Text is never released past the start of a lexicon word that could still complete (the automaton's
/// open prefix) nor through the middle of a hit, so a blocked term split across deltas never reaches the output.
/// One instance per answer; not thread-safe. It scans only when a release is possible, not on every delta.
/// </remarks>
public sealed class StreamingOutputFilter(ModerationEngine engine, CompiledLexiconSet lexicons, StreamingFilterOptions? options = null)
{
    private readonly StreamingFilterOptions _options = options ?? new StreamingFilterOptions();
    private readonly List<ModerationHit> _hits = [];
    private char[] _pending = new char[256];
    private int _length;
    private int _released;

    /// <summary>True once a blocking rule fired; everything after that is withheld.</summary>
    public bool IsBlocked { get; private set; }

    /// <summary>The highest risk seen so far.</summary>
    public RiskLevel RiskLevel { get; private set; }

    /// <summary>Hits so far, with offsets in the whole ORIGINAL answer (for moderation events).</summary>
    public IReadOnlyList<ModerationHit> Hits => _hits;

    /// <summary>Chars of the original answer consumed (released or withheld) so far.</summary>
    public int ConsumedLength => _released;

    /// <summary>Chars received but not yet released.</summary>
    public int PendingLength => _length;

    /// <summary>Feeds one delta; returns the text that is safe to show now (often empty).</summary>
    public string Append(ReadOnlySpan<char> delta)
    {
        if (IsBlocked || delta.IsEmpty)
            return string.Empty;
        if (_length + delta.Length > _pending.Length)
            Array.Resize(ref _pending, Math.Max(_length + delta.Length, _pending.Length * 2));
        delta.CopyTo(_pending.AsSpan(_length));
        _length += delta.Length;
        var boundary = CandidateBoundary();
        return boundary > 0 ? Release(boundary, final: false) : string.Empty;
    }

    /// <summary>Ends the stream: checks and releases whatever is still held.</summary>
    public string Flush() => IsBlocked || _length == 0 ? string.Empty : Release(_length, final: true);

    private string Release(int boundary, bool final)
    {
        var pending = _pending.AsSpan(0, _length);
        var result = engine.Scan(pending, lexicons, ModerationPhase.Output, out var openPrefixStart, _options.Policy);
        if (result.IsBlocked)
            return Block(result);
        if (!final)
        {
            boundary = Math.Min(boundary, openPrefixStart);
            // A hit that straddles the boundary is held whole; moving left can expose another, so repeat.
            for (var moved = true; moved;)
            {
                moved = false;
                foreach (var hit in result.Hits)
                {
                    if (hit.Start < boundary && hit.End > boundary)
                    {
                        boundary = hit.Start;
                        moved = true;
                    }
                }
            }
            if (boundary > 0 && char.IsHighSurrogate(pending[boundary - 1]))
                boundary--;
            if (boundary <= 0)
                return string.Empty;
        }
        var released = new List<ModerationHit>();
        foreach (var hit in result.Hits)
        {
            if (hit.End <= boundary)
            {
                released.Add(hit);
                _hits.Add(hit.Shift(_released));
                RiskLevel = RiskLevels.Max(RiskLevel, hit.Risk);
            }
        }
        var text = released.Count == 0
            ? pending[..boundary].ToString()
            : TextMasker.Mask(pending[..boundary], released, static h => h.Action != ModerationAction.Allow);
        pending[boundary..].CopyTo(_pending);
        _length -= boundary;
        _released += boundary;
        return text;
    }

    private string Block(ModerationResult result)
    {
        foreach (var hit in result.Hits)
        {
            _hits.Add(hit.Shift(_released));
            RiskLevel = RiskLevels.Max(RiskLevel, hit.Risk);
        }
        IsBlocked = true;
        _released += _length;
        _length = 0;
        return _options.WithheldNotice;
    }

    /// <summary>End of the last complete sentence in the pending text, a forced cut when too much waits, else 0.</summary>
    private int CandidateBoundary()
    {
        var pending = _pending.AsSpan(0, _length);
        for (var i = pending.Length - 1; i >= 0; i--)
        {
            var c = pending[i];
            if (c is '\n' or '。' or '！' or '？')
                return i + 1;
            // "." needs the next char to be known: "oa.jiaoyu.com" and "3.14" are not sentence ends.
            if (c is '.' or '!' or '?' && i + 1 < pending.Length && char.IsWhiteSpace(pending[i + 1]))
                return i + 1;
        }
        if (pending.Length < _options.MaxHoldChars)
            return 0;
        var cut = pending.Length - _options.ForcedTailChars;
        // Prefer to cut after a space so a word or number is not split.
        var space = pending[..Math.Max(0, cut)].LastIndexOfAny(' ', '\t');
        return space > cut - 32 && space >= 0 ? space + 1 : Math.Max(0, cut);
    }
}
