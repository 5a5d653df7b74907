using System.Globalization;
using System.Text;
using Conversations.Text;

namespace Conversations.Routing.Caching;

/// <summary>
/// Reduces a question to a canonical form so trivially different spellings share a cache entry: compatibility
/// form (full-width letters, digits and punctuation become their ASCII forms), lower case, punctuation and emoji
/// dropped, whitespace collapsed, and no spaces next to CJK characters (Chinese and Japanese do not separate words).
/// Mathematical and currency symbols are kept: "2+2" and "2-2" are different questions.
/// </summary>
internal static class QuestionNormalizer
{
    /// <summary>The canonical form of <paramref name="question"/>; empty when nothing meaningful remains.</summary>
    public static string Normalize(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var text = question.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var spaced = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\'' or '\u2019')
            {
                continue; // "what's" and "whats" are the same question.
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
