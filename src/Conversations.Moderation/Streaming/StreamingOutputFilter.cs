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
public sealed class StreamingOutputFilter(ModerationEngine engine, CompiledLexiconSet lexicons, StreamingFilterOptions? options = null)
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
    /// show it too. A finding that starts with a letter or digit keeps its first char when masked (an e-mail keeps the first
    /// letter, phones, IDs and cards their first digits), except secrets, whose keywords and vendor prefixes are checked
    /// here, and lexicon words, whose open prefix the scan reports. The char stays in the pending text, so later scans see
    /// the whole word as a one-shot scan would.
    /// </summary>
    private string ShowFirstChar()
    {
        var pending = _pending.AsSpan(0, _length);
        if (pending.IsEmpty || !(char.IsAsciiLetterOrDigit(pending[0]) || pending[0] is '*' or '#' or '>' or '`' or '|'))
            return string.Empty;
        var letters = 0;
        while (letters < pending.Length && char.IsAsciiLetter(pending[letters]))
            letters++;
        if (letters > 0 && MayBeSecretWord(pending[..letters]))
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
        _shown = char.IsHighSurrogate(pending[0]) ? 0 : 1;
        return _shown == 0 ? string.Empty : pending[..1].ToString();
    }

    // Words a secret can start with: the keywords of PiiPatterns.KeyAssignment and PasswordAssignment, and the vendor
    // prefixes of PrefixedKey. A word that is a prefix of one, or starts with one, may still become a masked secret.
    private static readonly string[] SecretWords =
        ["api", "app", "access", "secret", "client", "private", "auth", "refresh", "bearer", "session", "token",
         "password", "passwd", "passcode", "pwd", "sk", "akia", "asia", "ltai", "gh"];

    private static bool MayBeSecretWord(ReadOnlySpan<char> word)
    {
        foreach (var secret in SecretWords)
        {
            if (secret.AsSpan().StartsWith(word, StringComparison.OrdinalIgnoreCase) || word.StartsWith(secret, StringComparison.OrdinalIgnoreCase))
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

    // A secret's value is recognised by the keyword before it ("password:", "api_key="); once the keyword is released the
    // value would be scanned without it, so an unfinished sentence holding a keyword is held from the keyword on.
    private static int SecretKeywordStart(ReadOnlySpan<char> pending)
    {
        var sentenceStart = LastSentenceEnd(pending);
        var tail = pending[sentenceStart..];
        return Math.Min(FirstMatch(Pii.PiiPatterns.PasswordAssignment(), tail, sentenceStart, pending.Length),
            FirstMatch(Pii.PiiPatterns.KeyAssignment(), tail, sentenceStart, pending.Length));
    }

    // Runs on every release: span matching, no string or Match allocated.
    private static int FirstMatch(System.Text.RegularExpressions.Regex pattern, ReadOnlySpan<char> text, int offset, int none)
    {
        foreach (var m in pattern.EnumerateMatches(text))
            return offset + m.Index;
        return none;
    }

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
