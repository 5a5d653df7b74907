using System.Globalization;
using System.Runtime.CompilerServices;

namespace Conversations.Moderation.Normalization;

/// <summary>Normalizes text for moderation and keeps a map back to original offsets.</summary>
/// <remarks>
/// Two forms. Matching form (for lexicons): NFKD-style compatibility fold (full-width → ASCII), marks dropped,
/// lower-cased, look-alike and digit-as-letter fold, and every non-letter/non-digit removed — so "r u d e_w o r d",
/// "r.u.d.e", "ｒｕｄｅ" and "rud\u200Be" all read "rude…" (which of the matches found there count is decided on the
/// original text by <see cref="Matching.TermRules"/>). Light form (for PII): full-width → ASCII and invisible
/// chars removed only, so digits stay digits and "@" stays "@".
/// </remarks>
public static class ModerationNormalizer
{
    /// <summary>Writes the matching form of <paramref name="text"/> into <paramref name="into"/>.</summary>
    public static void NormalizeForMatching(ReadOnlySpan<char> text, NormalizedText into)
    {
        into.Begin(text.Length);
        var table = FoldTables.Matching;
        var dst = into.CharBuffer;
        var src = into.SourceBuffer;
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var entry = table[c];
            var kind = entry >> 24;
            if (kind == 1)
            {
                dst[n] = (char)entry;
                src[n] = i;
                n++;
            }
            else if (kind == FoldTables.Drop)
            {
                continue;
            }
            else if (kind == FoldTables.Surrogate)
            {
                // Astral letters (rare CJK extensions) are kept as their two units; emoji and other symbols separate nothing.
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    if (IsLetterOrDigit(char.ConvertToUtf32(c, text[i + 1])))
                    {
                        dst[n] = c;
                        src[n++] = i;
                        dst[n] = text[i + 1];
                        src[n++] = i + 1;
                    }
                    i++;
                }
            }
            else
            {
                var length = (int)kind;
                if (n + length + (text.Length - i) > dst.Length)
                {
                    into.Grow(n + length + (text.Length - i), n);
                    dst = into.CharBuffer;
                    src = into.SourceBuffer;
                }
                var offset = (int)(entry & 0xFFFFFF);
                for (var k = 0; k < length; k++)
                {
                    dst[n] = FoldTables.Expansions[offset + k];
                    src[n++] = i;
                }
            }
        }
        into.End(n);
    }

    /// <summary>Returns the matching form of <paramref name="text"/> in a new buffer.</summary>
    public static NormalizedText NormalizeForMatching(string text)
    {
        var result = new NormalizedText(text.Length);
        NormalizeForMatching(text, result);
        return result;
    }

    /// <summary>The matching form of a lexicon word, as a string (empty when the word has no letters or digits).</summary>
    public static string NormalizePattern(string word) => NormalizeForMatching(word).ToString();

    /// <summary>What <paramref name="c"/> is to lexicon matching (a half of a surrogate pair reads as <see cref="CharClass.Symbol"/>).</summary>
    public static CharClass ClassOf(char c) => FoldTables.Classes[c];

    /// <summary>True when the matching form of <paramref name="pattern"/> holds a letter of a script written without spaces.</summary>
    public static bool HasUnspacedScript(ReadOnlySpan<char> pattern)
    {
        foreach (var c in pattern)
        {
            if (FoldTables.IsUnspacedScript(c))
                return true;
        }
        return false;
    }

    /// <summary>Writes the light form (full-width → ASCII, invisible chars removed) into <paramref name="into"/>.</summary>
    public static void NormalizeLight(ReadOnlySpan<char> text, NormalizedText into)
    {
        into.Begin(text.Length);
        var table = FoldTables.Light;
        var dst = into.CharBuffer;
        var src = into.SourceBuffer;
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = table[text[i]];
            if (c == FoldTables.LightDrop)
                continue;
            dst[n] = c;
            src[n++] = i;
        }
        into.End(n);
    }

    /// <summary>Returns the light form of <paramref name="text"/> in a new buffer.</summary>
    public static NormalizedText NormalizeLight(string text)
    {
        var result = new NormalizedText(text.Length);
        NormalizeLight(text, result);
        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsLetterOrDigit(int codePoint) => CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber => true,
        _ => false,
    };
}
