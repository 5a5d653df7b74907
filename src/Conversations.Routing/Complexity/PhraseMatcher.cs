namespace Conversations.Routing.Complexity;

/// <summary>Finds whole-word English phrases (with common inflections) and Chinese substrings in text.</summary>
internal static class PhraseMatcher
{
    private static readonly string[] Suffixes = ["ing", "es", "ed", "s", "d", ""];

    /// <summary>The phrases of <paramref name="english"/> that occur as whole words and those of <paramref name="chinese"/> that occur anywhere.</summary>
    public static List<string> Find(string lowerText, IReadOnlyList<string> english, IReadOnlyList<string> chinese)
    {
        var found = new List<string>();
        foreach (var phrase in english)
        {
            if (ContainsWord(lowerText, phrase))
            {
                found.Add(phrase);
            }
        }

        foreach (var phrase in chinese)
        {
            if (lowerText.Contains(phrase, StringComparison.Ordinal))
            {
                found.Add(phrase);
            }
        }

        return found;
    }

    /// <summary>Whether <paramref name="phrase"/> occurs in <paramref name="text"/> starting and ending at word boundaries (an inflection suffix allowed).</summary>
    public static bool ContainsWord(string text, string phrase)
    {
        for (var start = text.IndexOf(phrase, StringComparison.Ordinal); start >= 0; start = text.IndexOf(phrase, start + 1, StringComparison.Ordinal))
        {
            if (start > 0 && IsWordChar(text[start - 1]))
            {
                continue;
            }

            var end = start + phrase.Length;
            foreach (var suffix in Suffixes)
            {
                if (string.CompareOrdinal(text, end, suffix, 0, suffix.Length) == 0
                    && end + suffix.Length <= text.Length
                    && (end + suffix.Length == text.Length || !IsWordChar(text[end + suffix.Length])))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsWordChar(char c) => c < 0x2E80 && char.IsLetterOrDigit(c);
}
