using System.Text;

namespace Conversations.Routing.Caching;

/// <summary>
/// The identifiers a question carries: anything with a digit (employee, order and phone numbers, amounts, dates),
/// e-mail addresses and handles, and capitalized words inside a sentence (names). A question that carries any, or that
/// speaks of the asker's own things ("my badge", "I'm the owner of…", "我的工号"), is personal: its answer may repeat
/// what it says, so it never enters a shared cache. And two questions that differ in their identifiers ask different
/// things however close their embeddings are, so the semantic cache only compares questions with the same
/// identifiers. Deliberately broad: a miss costs one model call, a false match shows one user's data to another.
/// </summary>
public static class QuestionIdentifiers
{
    /// <summary>The identifiers in <paramref name="question"/>, normalized (lower case), distinct and sorted.</summary>
    public static IReadOnlyList<string> Extract(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var sentenceStart = true;
        var i = 0;
        while (i < question.Length)
        {
            var c = question[i];
            if (!IsTokenChar(c))
            {
                if (c is '.' or '?' or '!' or '。' or '？' or '！' or '\n') sentenceStart = true;
                i++;
                continue;
            }
            var start = i;
            while (i < question.Length && (IsTokenChar(question[i]) || IsJoiner(question, i))) i++;
            var token = question[start..i].TrimEnd('.', '-', '_', '\'', '’');
            if (IsIdentifier(token, sentenceStart)) found.Add(token.Normalize(NormalizationForm.FormKC).ToLowerInvariant());
            sentenceStart = false;
        }
        return [.. found];
    }

    /// <summary>True when <paramref name="question"/> carries an identifier or personal data.</summary>
    public static bool IsPersonal(string question) => Extract(question).Count > 0 || SpeaksOfSelf(question);

    /// <summary>A stable text of the identifiers, for keys (empty when there are none).</summary>
    public static string Fingerprint(string question) => string.Join('\n', Extract(question).Select(t => $"{t.Length}:{t}"));

    // First-person possessives and self-descriptions; "How do I…" asks about a procedure and stays shareable.
    private static readonly string[] SelfWords = ["my", "mine", "myself", "i'm", "i’m", "im", "i've", "i’ve"];
    private static readonly string[] SelfPhrasesZh = ["我的", "我叫", "我是", "本人"];

    private static bool SpeaksOfSelf(string question)
    {
        if (SelfPhrasesZh.Any(p => question.Contains(p, StringComparison.Ordinal))) return true;
        if (question.Contains("I am", StringComparison.OrdinalIgnoreCase) && System.Text.RegularExpressions.Regex.IsMatch(question, @"\bI am\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)) return true;
        foreach (var word in question.Split([' ', ',', '.', '?', '!', ';', ':', '\n', '\t', '(', ')', '"'], StringSplitOptions.RemoveEmptyEntries))
            if (SelfWords.Contains(word.ToLowerInvariant())) return true;
        return false;
    }

    private static bool IsIdentifier(string token, bool sentenceStart)
    {
        if (token.Length == 0) return false;
        if (token.Any(char.IsDigit)) return true;
        if (token.Contains('@')) return true;
        if (sentenceStart || !char.IsUpper(token[0]) || token.Length < 2) return false;
        // "Chen", "McDonald": a capital then lower case; an all-capital acronym ("VPN", "HR") names a thing, not a person.
        return token.Skip(1).Any(char.IsLower);
    }

    private static bool IsTokenChar(char c) => char.IsLetterOrDigit(c) || c is '@' or '_' || char.GetUnicodeCategory(c) is
        System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark;

    // Joiners inside a token keep "a.b@c.com", "12-34" and "O'Neil" whole.
    private static bool IsJoiner(string text, int i) =>
        text[i] is '.' or '-' or '\'' or '’' or '+' or '/' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]);
}
