using Conversations.Moderation.Normalization;

namespace Conversations.Moderation.Matching;

/// <summary>How a lexicon term may match.</summary>
public enum TermMode : byte
{
    /// <summary>Only as a whole word of the original text (the default for words of spaced scripts).</summary>
    WholeWord,

    /// <summary>Also inside longer words; the spacing rule still applies.</summary>
    Substring,

    /// <summary>Anywhere, whatever the gaps: terms with Han, kana, Hangul or Thai letters (no spaces between words there).</summary>
    Anywhere,
}

/// <summary>What <see cref="TermRules.Check"/> decided for one automaton match.</summary>
public enum MatchVerdict : byte
{
    /// <summary>A finding.</summary>
    Accept,

    /// <summary>Not a finding (inside a longer word, or joined across words).</summary>
    Reject,

    /// <summary>The text ends right after the match and more may follow: decide once the next visible char is known.</summary>
    Undecided,
}

/// <summary>Decides whether a match found in the matching form is a finding in the ORIGINAL text.</summary>
/// <remarks>
/// The matching form drops every separator so that "b a d", "b.a.d", "b‑a‑d", "ｂａｄ" and "b\u200Bad" all read "bad" —
/// but then "class" holds "ass" and "is exactly" holds "sex". The automaton finds candidates there; these rules,
/// applied to the original text, keep the evasions and drop the accidents:
/// <list type="number">
/// <item>Spacing. Inside a match, a gap holding whitespace is allowed only between two single letters ("b a d", "b. a. d")
/// or where the term itself has a space or separator ("ignore previous instructions", "rude_word"). Gaps of punctuation
/// and symbols only ("b.a.d", "b-a-d", "fu_ck") and invisible chars ("b\u200Bad") are allowed anywhere. So "is exactly"
/// is not "sex" and "an us" is not "anus", while "s e x" still is.</item>
/// <item>Whole words (<see cref="TermMode.WholeWord"/>). The nearest visible original char before the match and the one
/// after it must not be a letter or digit of a spaced script, so "class", "password", "assassin" and "Scunthorpe" do not
/// hold "ass" or "cunt". Han or kana letters next to it are no obstacle ("看bad片"). A match the text ends with is
/// <see cref="MatchVerdict.Undecided"/> until the text is final or a visible char follows ("bad" may become "badge").</item>
/// <item>Terms holding letters of unspaced scripts (<see cref="TermMode.Anywhere"/>) match as before, whatever the gaps.</item>
/// </list>
/// Rejected by design: splits of a word into parts of two or more letters with spaces ("fu ck") — from the text alone they
/// cannot be told from two real words ("an us"); such a split is still caught with punctuation ("fu.ck") instead of spaces.
/// </remarks>
internal static class TermRules
{
    private const byte Join = 0;
    private const byte Symbol = 1;
    private const byte Space = 2;

    /// <summary>The mode of a term: <see cref="TermMode.Anywhere"/> when its matching form holds an unspaced-script letter.</summary>
    public static TermMode ModeOf(string pattern, bool substring) =>
        ModerationNormalizer.HasUnspacedScript(pattern) ? TermMode.Anywhere : substring ? TermMode.Substring : TermMode.WholeWord;

    /// <summary>For each position of the term's matching form, whether the configured word has a separator before it (null when none).</summary>
    public static bool[]? BreaksOf(string word)
    {
        var normalized = ModerationNormalizer.NormalizeForMatching(word);
        bool[]? breaks = null;
        for (var k = 1; k < normalized.Length; k++)
        {
            if (GapBefore(word, normalized, k) != Join)
                (breaks ??= new bool[normalized.Length])[k] = true;
        }
        return breaks;
    }

    /// <summary>Decides the match [<paramref name="start"/>, <paramref name="end"/>) of the matching form <paramref name="normalized"/> of <paramref name="text"/>.</summary>
    /// <param name="mode">The term's mode.</param>
    /// <param name="breaks">The term's breaks (<see cref="BreaksOf"/>).</param>
    /// <param name="text">The original text.</param>
    /// <param name="normalized">Its matching form.</param>
    /// <param name="start">Match start in the matching form.</param>
    /// <param name="end">Match end in the matching form.</param>
    /// <param name="before">The last visible char before <paramref name="text"/> (a stream's released text), or '\0'.</param>
    /// <param name="moreFollows">True when the text may still grow (a stream), so a match at its very end is undecided.</param>
    public static MatchVerdict Check(
        TermMode mode, bool[]? breaks, ReadOnlySpan<char> text, NormalizedText normalized, int start, int end, char before, bool moreFollows)
    {
        if (mode == TermMode.Anywhere)
            return MatchVerdict.Accept;
        if (mode == TermMode.WholeWord)
        {
            // Cheap checks first: most candidates in ordinary text sit inside a longer word.
            // Inside one original char that expands to several ("ﬁ" → "fi") is inside a word.
            if (end < normalized.Length && normalized.SourceOf(end) == normalized.SourceOf(end - 1))
                return MatchVerdict.Reject;
            if (!StartsWord(text, normalized, start, before))
                return MatchVerdict.Reject;
        }
        if (!SpacedOnlyBetweenSingleLetters(breaks, text, normalized, start, end))
            return MatchVerdict.Reject;
        if (mode == TermMode.Substring)
            return MatchVerdict.Accept;

        var next = normalized.SourceOf(end - 1) + 1;
        while (next < text.Length && ModerationNormalizer.ClassOf(text[next]) == CharClass.Invisible)
            next++;
        if (next == text.Length)
            return moreFollows ? MatchVerdict.Undecided : MatchVerdict.Accept;
        return ModerationNormalizer.ClassOf(text[next]) == CharClass.Letter ? MatchVerdict.Reject : MatchVerdict.Accept;
    }

    /// <summary>
    /// Rule 2's start half: whether a whole-word term may start at matching-form position <paramref name="start"/>. It reads
    /// only that char and the text before it, so text appended later never changes the answer.
    /// </summary>
    public static bool StartsWord(ReadOnlySpan<char> text, NormalizedText normalized, int start, char before)
    {
        if (start > 0 && normalized.SourceOf(start - 1) == normalized.SourceOf(start))
            return false;
        var previous = normalized.SourceOf(start) - 1;
        while (previous >= 0 && ModerationNormalizer.ClassOf(text[previous]) == CharClass.Invisible)
            previous--;
        return ModerationNormalizer.ClassOf(previous >= 0 ? text[previous] : before) != CharClass.Letter;
    }

    /// <summary>Rule 1: whitespace inside the match only between two single letters, or where the term has a break.</summary>
    private static bool SpacedOnlyBetweenSingleLetters(bool[]? breaks, ReadOnlySpan<char> text, NormalizedText normalized, int start, int end)
    {
        var length = end - start;
        Span<byte> gaps = length <= 256 ? stackalloc byte[length] : new byte[length];
        var spaced = false;
        for (var k = 1; k < length; k++)
        {
            gaps[k] = GapBefore(text, normalized, start + k);
            spaced |= gaps[k] == Space;
        }
        if (!spaced)
            return true;
        for (var k = 1; k < length; k++)
        {
            if (gaps[k] != Space || (breaks is not null && breaks[k]))
                continue;
            // The letters on both sides of the space must each stand alone (a separator or the match edge beyond them).
            var leftAlone = k - 1 == 0 || gaps[k - 1] != Join;
            var rightAlone = k + 1 == length || gaps[k + 1] != Join;
            if (!leftAlone || !rightAlone)
                return false;
        }
        return true;
    }

    /// <summary>What separates matching-form chars k-1 and k in the original: nothing (or only invisible chars), symbols, or whitespace.</summary>
    private static byte GapBefore(ReadOnlySpan<char> text, NormalizedText normalized, int k)
    {
        var gap = Join;
        for (var i = normalized.SourceOf(k - 1) + 1; i < normalized.SourceOf(k); i++)
        {
            switch (ModerationNormalizer.ClassOf(text[i]))
            {
                case CharClass.Space:
                    return Space;
                case CharClass.Invisible:
                    break;
                default:
                    gap = Symbol;
                    break;
            }
        }
        return gap;
    }
}
