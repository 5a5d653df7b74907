using System.Globalization;
using System.Text;
using Conversations.Text;

namespace Conversations.Moderation.Normalization;

/// <summary>Per-char lookup tables for both normalization forms, computed once for the whole BMP.</summary>
/// <remarks>
/// Precomputing NFKD + case fold + confusable fold per char turns normalization into one table read per char,
/// with no per-char allocation. Composition across chars (NFKC's "C") is not needed: combining marks are dropped.
/// </remarks>
internal static class FoldTables
{
    /// <summary>Entry kind in the top byte of a <see cref="Matching"/> entry: drop the char.</summary>
    public const uint Drop = 0;

    /// <summary>Entry kind: the char is half of a surrogate pair, decided by its code point.</summary>
    public const uint Surrogate = 0xFF;

    /// <summary>Matching fold: top byte = output length (0 drop, 1 single char in the low 16 bits, 2+ offset into <see cref="Expansions"/>).</summary>
    public static readonly uint[] Matching;

    /// <summary>Multi-char outputs of the matching fold (e.g. "ﬁ" → "fi", "㈱" → "株").</summary>
    public static readonly char[] Expansions;

    /// <summary>Light fold for PII detection: full-width → ASCII, invisible chars dropped (<c>'\uFFFF'</c>), others kept.</summary>
    public static readonly char[] Light;

    /// <summary>Marker in <see cref="Light"/> for a dropped char.</summary>
    public const char LightDrop = '\uFFFF';

    /// <summary>The <see cref="CharClass"/> of every BMP char (word boundaries for whole-word lexicon terms).</summary>
    public static readonly CharClass[] Classes;

    static FoldTables()
    {
        Matching = new uint[65536];
        Light = new char[65536];
        Classes = new CharClass[65536];
        var expansions = new List<char>(4096);
        Span<char> folded = stackalloc char[64];
        for (var c = 0; c < 65536; c++)
        {
            var ch = (char)c;
            Light[c] = LightFold(ch);
            if (char.IsSurrogate(ch))
            {
                Matching[c] = Surrogate << 24;
                Classes[c] = CharClass.Symbol;
                continue;
            }
            var n = 0;
            foreach (var d in Decompose(ch))
            {
                var f = MatchFold(d);
                if (f != '\0' && n < folded.Length)
                    folded[n++] = f;
            }
            if (n == 0)
                Matching[c] = Drop;
            else if (n == 1)
                Matching[c] = (1u << 24) | folded[0];
            else
            {
                Matching[c] = ((uint)n << 24) | (uint)expansions.Count;
                for (var i = 0; i < n; i++)
                    expansions.Add(folded[i]);
            }
            Classes[c] = Classify(ch, n == 0 ? null : folded[0]);
        }
        Expansions = [.. expansions];
    }

    /// <summary>Letters of scripts written without spaces between words (Han, kana, Hangul, Thai, …): no word boundary there.</summary>
    public static bool IsUnspacedScript(char c) =>
        Scripts.HasNoWordSpaces(c) || char.IsSurrogate(c); // astral letters are almost all CJK extensions

    private static CharClass Classify(char ch, char? firstFolded)
    {
        if (firstFolded is { } f)
            return IsUnspacedScript(f) ? CharClass.UnspacedLetter : CharClass.Letter;
        if (char.IsWhiteSpace(ch))
            return CharClass.Space;
        if (IsFiller(ch))
            return CharClass.Invisible;
        return CharUnicodeInfo.GetUnicodeCategory(ch) is UnicodeCategory.Format or UnicodeCategory.Control
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark ? CharClass.Invisible : CharClass.Symbol;
    }

    // Hangul fillers render as nothing; they are letters to Unicode, so without this they would split a word unseen.
    private static bool IsFiller(char c) => c is '\u115F' or '\u1160' or '\u3164' or '\uFFA0';

    private static string Decompose(char ch)
    {
        // Hangul syllables stay whole: decomposing them to jamo only lengthens text without helping matching.
        if (ch < 0x80 || (ch >= 0xAC00 && ch <= 0xD7A3))
            return ch.ToString();
        var s = ch.ToString();
        try
        {
            return s.IsNormalized(NormalizationForm.FormKD) ? s : s.Normalize(NormalizationForm.FormKD);
        }
        catch (ArgumentException)
        {
            // Noncharacters (U+FFFE, U+FFFF, …) cannot be normalized; they are dropped later as unassigned.
            return s;
        }
    }

    /// <summary>Folds one decomposed char: marks and separators vanish, letters and digits become their skeleton.</summary>
    private static char MatchFold(char d)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(d);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark || IsFiller(d))
            return '\0';
        var folded = Confusables.Fold(char.ToLowerInvariant(d));
        return CharUnicodeInfo.GetUnicodeCategory(folded) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => folded,
            // Whitespace, punctuation, symbols, controls and format chars separate nothing in the skeleton.
            _ => '\0',
        };
    }

    private static char LightFold(char ch)
    {
        if (ch >= '\uFF01' && ch <= '\uFF5E')
            return (char)(ch - 0xFEE0);
        if (ch == '\u3000')
            return ' ';
        if (ch is '\t' or '\n' or '\r')
            return ch;
        if (char.IsSurrogate(ch))
            return ch;
        return CharUnicodeInfo.GetUnicodeCategory(ch) is UnicodeCategory.Format or UnicodeCategory.Control ? LightDrop : ch;
    }
}
