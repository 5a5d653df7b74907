using System.Globalization;
using System.Text;
using Conversations.Text;

namespace Conversations.Routing.Caching;

/// <summary>
/// Reduces a question to a canonical form so trivially different spellings share a cache entry: compatibility
/// form (full-width letters, digits and punctuation become their ASCII forms), lower case, sentence punctuation,
/// quotes, brackets and emoji dropped, whitespace collapsed, and no spaces next to CJK characters (Chinese and Japanese
/// do not separate words). Every mark that can change what is asked is kept: mathematical and currency symbols ("2+2"
/// and "2-2"), signs and dashes ("-5", "-rf"), '%', '#', '&amp;', '/', '@', and a point or comma between digits ("4.2",
/// "1,000"). A cache miss costs a model call; a wrong hit answers another question.
/// </summary>
internal static class QuestionNormalizer
{
    /// <summary>The canonical form of <paramref name="question"/>; empty when nothing meaningful remains.</summary>
    public static string Normalize(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var text = question.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var spaced = new StringBuilder(text.Length);
        var previous = '\0';
        for (var i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length); // a lone surrogate reads as U+FFFD
            var next = i + length < text.Length ? text[i + length] : '\0';
            var at = i;
            i += length;
            var here = previous;
            previous = text[at];
            if (rune.Value is '\'' or '\u2019')
            {
                continue; // "what's" and "whats" are the same question.
            }

            if (KeepsMeaning(rune.Value, here, next))
            {
                spaced.Append(rune.ToString());
                continue;
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.ConnectorPunctuation:
                case UnicodeCategory.DashPunctuation:
                case UnicodeCategory.OpenPunctuation:
                case UnicodeCategory.ClosePunctuation:
                case UnicodeCategory.InitialQuotePunctuation:
                case UnicodeCategory.FinalQuotePunctuation:
                case UnicodeCategory.OtherPunctuation:
                case UnicodeCategory.OtherSymbol:
                case UnicodeCategory.ModifierSymbol:
                case UnicodeCategory.SpaceSeparator:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.Control:
                    spaced.Append(' ');
                    break;
                case UnicodeCategory.Format:
                case UnicodeCategory.NonSpacingMark:
                case UnicodeCategory.EnclosingMark:
                    break; // Zero-width characters, variation selectors and emoji modifiers carry no meaning here.
                default:
                    spaced.Append(rune.ToString());
                    break;
            }
        }

        return CollapseSpaces(spaced.ToString());
    }

    // Marks that change what a question asks: signs, dashes and the few symbols punctuation classes hold, always; a
    // decimal point or thousands separator between two digits.
    private static bool KeepsMeaning(int c, char before, char after) => c switch
    {
        '-' or '\u2212' or '\u2013' or '%' or '\u2030' or '#' or '&' or '*' or '/' or '\\' or '@' or '_' or '~' => true,
        '.' or ',' => char.IsAsciiDigit(before) && char.IsAsciiDigit(after),
        _ => false,
    };

    private static string CollapseSpaces(string text)
    {
        var result = new StringBuilder(text.Length);
        var last = -1; // where in text the last appended char stands
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != ' ')
            {
                result.Append(text[i]);
                last = i;
                continue;
            }

            var next = i + 1;
            while (next < text.Length && text[next] == ' ')
            {
                next++;
            }

            var hasBefore = result.Length > 0;
            var hasAfter = next < text.Length;
            if (hasBefore && hasAfter && !IsCjkAt(text, last) && !IsCjkAt(text, next))
            {
                result.Append(' ');
            }

            i = next - 1;
        }

        return result.ToString();
    }

    // The char at index, or the surrogate pair it is half of, is a CJK character.
    private static bool IsCjkAt(string text, int index)
    {
        var c = text[index];
        if (char.IsLowSurrogate(c) && index > 0 && char.IsHighSurrogate(text[index - 1]))
        {
            return Scripts.IsCjk(char.ConvertToUtf32(text[index - 1], c));
        }

        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            return Scripts.IsCjk(char.ConvertToUtf32(c, text[index + 1]));
        }

        return Scripts.IsCjk(c);
    }
}
