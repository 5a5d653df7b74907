using Conversations.Moderation.Engine;
using Conversations.Moderation.Lexicons;

namespace Conversations.Moderation.Streaming;

/// <summary>Moderates a streamed answer as it arrives: releases text as soon as it is safe, masked, and stops on a block.</summary>
/// <remarks>
/// Held back is at most the current unfinished sentence (ends: . ! ? followed by whitespace, 。！？ and newline),
/// or, in a stream without sentence ends, all but a short tail once <see cref="StreamingFilterOptions.MaxHoldChars"/>
/// is reached. With <see cref="OutputRelease.SafePrefix"/> (the default) less is held: only what could still become a
/// finding (see that value). Text is never released past the start of a lexicon word that could still complete (the automaton's
/// open prefix) nor through the middle of a hit, so a blocked term split across deltas never reaches the output. A whole-word
/// term at the very end of the pending text is decided only once the next visible char shows whether the word ended.
/// The answer's first char is shown with the first delta when no finding can hide it (see ShowFirstChar).
/// One instance per answer; not thread-safe. It scans only when a release is possible (a sentence end, or in safe-prefix
/// mode a finished word), not on every delta.
/// </remarks>
public sealed partial class StreamingOutputFilter(ModerationEngine engine, CompiledLexiconSet lexicons, StreamingFilterOptions? options = null)
{
    // Beyond this much pending text, one unbroken run is split anyway so memory and the next scan stay bounded.
    private const int HardHoldChars = 4096;

    private readonly StreamingFilterOptions _options = options ?? new StreamingFilterOptions();
    private readonly List<ModerationHit> _hits = [];
    private char[] _pending = new char[256];
    private int _length;
    private int _released;
    private char _lastVisible;
    // Chars at the start of _pending already shown to the user but kept for the scans: the first char of the answer,
    // released before its word is complete (see ShowFirstChar).
    private int _shown;
    private readonly Normalization.NormalizedText _light = new(256);

    /// <summary>True once a blocking rule fired; everything after that is withheld.</summary>
    public bool IsBlocked { get; private set; }

    /// <summary>The highest risk seen so far.</summary>
    public RiskLevel RiskLevel { get; private set; }

    /// <summary>Hits so far, with offsets in the whole ORIGINAL answer (for moderation events).</summary>
    public IReadOnlyList<ModerationHit> Hits => _hits;

    /// <summary>Chars of the original answer consumed (released or withheld) so far.</summary>
    public int ConsumedLength => _released;

    /// <summary>Chars received but not yet consumed (an early-shown first char counts until its word is released).</summary>
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
        var boundary = _options.Release == OutputRelease.Sentence ? CandidateBoundary() : SafeCandidate();
        var text = boundary > _shown ? Release(boundary, final: false) : string.Empty;
        return text.Length == 0 && _released == 0 && _shown == 0 && !IsBlocked && _options.Release == OutputRelease.SafePrefix
            ? ShowFirstChar()
            : text;
    }

    /// <summary>Ends the stream: checks and releases whatever is still held.</summary>
    public string Flush() => IsBlocked || _length == 0 ? string.Empty : Release(_length, final: true);

    private string Release(int boundary, bool final)
    {
        var pending = _pending.AsSpan(0, _length);
        // The scan sees only unreleased text: it is told the char before it (does a whole word start here?) and, unless
        // the answer is complete, that more may follow (does a whole word end here?), so it decides as a one-shot scan would.
        var result = engine.Scan(pending, lexicons, ModerationPhase.Output, out var openPrefixStart, _options.Policy,
            new ScanContext(_lastVisible, MoreFollows: !final));
        if (result.IsBlocked)
            return Block(result);
        if (!final)
        {
            boundary = Math.Min(boundary, openPrefixStart);
            if (_options.Release == OutputRelease.SafePrefix)
                boundary = Math.Min(boundary, SecretKeywordStart(pending));
            // A hit that straddles the boundary is held whole, and (releasing mid-sentence) so is a run of data-like
            // characters, so the held text starts where a one-shot scan would see a token start; moving left can
            // expose another hit, so repeat.
            for (var moved = true; moved;)
            {
                moved = false;
                if (_options.Release == OutputRelease.SafePrefix && RunStart(pending, boundary) is var runStart && runStart < boundary)
                {
                    boundary = runStart;
                    moved = true;
                }
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
            if (boundary <= _shown)
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
        // Chars already shown are masked as they were shown: ShowFirstChar only shows a char every mask keeps.
        var text = released.Count == 0
            ? pending[_shown..boundary].ToString()
            : TextMasker.Mask(pending[..boundary], released, static h => h.Action != ModerationAction.Allow)[_shown..];
        _shown = 0;
        for (var i = boundary - 1; i >= 0; i--)
        {
            if (Normalization.ModerationNormalizer.ClassOf(pending[i]) != Normalization.CharClass.Invisible)
            {
                _lastVisible = pending[i];
                break;
            }
        }
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

    /// <summary>
    /// The first char of the answer, shown before its word is complete when no finding can hide it: a one-shot mask would
    /// show it too. Every personal-data mask keeps the first char of what it masks (an e-mail its first letter, phones, IDs
    /// and cards their first digits, a phone's "+"), and a secret written as "keyword: value" masks the value only, so
    /// what remains are lexicon words, whose open prefix the scan reports, and vendor keys ("sk-…", "AKIA…"), masked
    /// whole, whose prefixes are checked here on the light form. The char stays in the pending text, so later scans see
    /// the whole word as a one-shot scan would.
    /// </summary>
    private string ShowFirstChar()
    {
        var pending = _pending.AsSpan(0, _length);
        if (pending.IsEmpty || char.IsSurrogate(pending[0])
            || Normalization.ModerationNormalizer.ClassOf(pending[0]) is Normalization.CharClass.Invisible or Normalization.CharClass.Space)
            return string.Empty;
        if (MayStartVendorKey(pending))
            return string.Empty;
        var result = engine.Scan(pending, lexicons, ModerationPhase.Output, out var openPrefixStart, _options.Policy,
            new ScanContext(_lastVisible, MoreFollows: true));
        if (result.IsBlocked || openPrefixStart == 0)
            return string.Empty;
        foreach (var hit in result.Hits)
        {
            if (hit.Start == 0)
                return string.Empty;
        }
        _shown = 1;
        return pending[..1].ToString();
    }

    // The vendor prefixes of PiiPatterns.PrefixedKey (case-sensitive, as the pattern is).
    private static readonly string[] VendorPrefixes = ["sk-", "AKIA", "ASIA", "LTAI", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

    /// <summary>True when the text, read in its light form (full-width folded, invisible chars dropped), may still become or
    /// already starts with a vendor key prefix.</summary>
    private static bool MayStartVendorKey(ReadOnlySpan<char> pending)
    {
        Span<char> head = stackalloc char[4];
        var n = 0;
        foreach (var c in pending)
        {
            var folded = Normalization.FoldTables.Light[c];
            if (folded == Normalization.FoldTables.LightDrop)
                continue;
            head[n++] = folded;
            if (n == head.Length)
                break;
        }
        foreach (var prefix in VendorPrefixes)
        {
            var common = Math.Min(n, prefix.Length);
            if (head[..common].SequenceEqual(prefix.AsSpan(0, common)))
                return true;
        }
        return false;
    }

    /// <summary>Start of the trailing run that could still grow into personal data, or a forced cut when too much waits.</summary>
    private int SafeCandidate()
    {
        var pending = _pending.AsSpan(0, _length);
        var run = RunStart(pending, pending.Length);
        if (run > 0 || pending.Length < _options.MaxHoldChars) return run;
        return CandidateBoundary(); // one long token (a URL, a key): the forced cut keeps a tail
    }

    /// <summary>Where the run of data-like characters ending at <paramref name="end"/> starts (<paramref name="end"/> when none).</summary>
    private static int RunStart(ReadOnlySpan<char> text, int end)
    {
        var i = end;
        while (i > 0)
        {
            var c = text[i - 1];
            if (IsRunChar(c)) { i--; continue; }
            // Digit groups split by one space ("138 0013 8000", "6222 0212 …") are one number; a space after a digit at
            // the very end may still be followed by the next group.
            if (c == ' ' && i >= 2 && IsNumberish(text[i - 2]) && (i == text.Length || IsNumberish(text[i]))) { i--; continue; }
            break;
        }
        return i;
    }

    // Characters personal data and secrets are made of, in ASCII and full-width forms; format characters (zero-width
    // spaces an evasion may insert) are removed by normalization, so they join a run too.
    private static bool IsRunChar(char c) =>
        c < 0x80 ? char.IsAsciiLetterOrDigit(c) || c is '@' or '.' or '_' or '%' or '+' or '-' or ':' or '/' or '(' or ')' or '#' or '=' or '*' or '\'' or '"' or '~' or '!' or '$' or '&' or '?'
        : c is >= '\uFF01' and <= '\uFF5E' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Control;

    private static bool IsNumberish(char c) => char.IsAsciiDigit(c) || c is >= '\uFF10' and <= '\uFF19' || c is '+' or '-' or '(' or ')';

    // A secret's value is recognised by the keyword before it ("password:", "api_key=", "密码是"); once the keyword is released
    // the value would be scanned without it. So the pending text is held from a keyword in the unfinished sentence, from a
    // keyword whose separator ends the pending text (its value may start on the next line), and from the unfinished start
    // of one at the very end ("密", "password i"). The patterns run on the light form, as the detectors do.
    private int SecretKeywordStart(ReadOnlySpan<char> pending)
    {
        Normalization.ModerationNormalizer.NormalizeLight(pending, _light);
        var light = _light.Chars;
        var sentenceStart = LastSentenceEnd(light);
        var start = light.Length;
        foreach (var pattern in (ReadOnlySpan<System.Text.RegularExpressions.Regex>)[Pii.PiiPatterns.PasswordAssignment(), Pii.PiiPatterns.KeyAssignment(), OpenKeyword()])
        {
            foreach (var m in pattern.EnumerateMatches(light))
            {
                if (m.Index >= sentenceStart || light[(m.Index + m.Length)..].IsWhiteSpace())
                {
                    start = Math.Min(start, m.Index);
                    break;
                }
            }
        }
        return start == light.Length ? pending.Length : _light.SourceOf(start);
    }

    /// <summary>The unfinished start of a password keyword and its separator at the end of the text.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?:(?<![A-Za-z])(?:password|passwd|passcode|pwd)\s+(?:i|is)?|密码?\s*|口令?\s*)$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex OpenKeyword();

    /// <summary>End of the last complete sentence in <paramref name="pending"/>, 0 when none.</summary>
    private static int LastSentenceEnd(ReadOnlySpan<char> pending)
    {
        for (var i = pending.Length - 1; i >= 0; i--)
        {
            var c = pending[i];
            if (c is '\n' or '。' or '！' or '？')
                return i + 1;
            if (c is '.' or '!' or '?' && i + 1 < pending.Length && char.IsWhiteSpace(pending[i + 1]))
                return i + 1;
        }
        return 0;
    }

    /// <summary>End of the last complete sentence in the pending text, a forced cut when too much waits, else 0.</summary>
    private int CandidateBoundary()
    {
        var pending = _pending.AsSpan(0, _length);
        // "." needs the next char to be known: "oa.jiaoyu.com" and "3.14" are not sentence ends.
        var end = LastSentenceEnd(pending);
        if (end > 0)
            return end;
        if (pending.Length < _options.MaxHoldChars)
            return 0;
        var cut = pending.Length - _options.ForcedTailChars;
        if (cut <= 0)
            return 0;
        // Cut before the run of data-like characters the cut point falls in (a number split by spaces is one run), so
        // a word, number or address is never split; when everything up to the cut is one run, wait for it to end, and
        // split it only once it is absurdly long (a base64 blob, not personal data).
        var run = RunStart(pending, cut);
        if (run > 0 || pending.Length < HardHoldChars)
            return run;
        return cut;
    }
}
