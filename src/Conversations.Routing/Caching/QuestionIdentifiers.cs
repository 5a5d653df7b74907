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

    // First-person words and self-descriptions, in the languages a tenant's people write; "How do I…", "Where can I…"
    // and "tell me…" ask about a procedure and stay shareable.
    private static readonly string[] SelfWords = ["my", "mine", "myself", "i'm", "i’m", "im", "i've", "i’ve", "i'd", "i’d", "i'll", "i’ll",
        "mein", "meine", "meinen", "meinem", "meiner", "meines", "ich", "mich", "mir", "je", "j'", "j’", "mon", "ma", "mes", "moi", "yo", "mi", "mis"];
    private static readonly string[] SelfPhrasesZh = ["我的", "我叫", "我是", "本人", "我被", "我得了", "我患", "我怀孕", "我家", "我妻子", "我丈夫", "我老婆", "我老公", "我孩子", "我儿子", "我女儿"];
    // "I" after these asks how something is done ("how do I", "can I"), not what happened to the asker.
    private static readonly string[] AskingBeforeI = ["do", "does", "did", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "am"];
    // "me" after these is a polite request ("tell me the policy"), not a fact about the asker.
    private static readonly string[] AskingBeforeMe = ["tell", "show", "give", "help", "let", "send", "remind", "to", "for"];
    // A sentence that starts with a capitalized word and goes on "is…", "has…" speaks of someone ("Dana is pregnant"),
    // unless that word is one a question or statement starts with.
    private static readonly string[] StatementVerbs = ["is", "was", "has", "had", "will", "got", "gets", "needs", "wants", "does", "did", "can't", "cannot"];
    private static readonly string[] SentenceOpeners = ["what", "how", "who", "where", "when", "which", "why", "this", "that", "it", "there", "here",
        "he", "she", "they", "we", "you", "everyone", "everybody", "nobody", "someone", "somebody", "anyone", "anybody", "the", "a", "an", "our",
        "your", "their", "its", "each", "every", "any", "no", "none", "something", "nothing", "one", "which", "whose"];
    private static readonly char[] WordSeparators = [' ', ',', '.', '?', '!', ';', ':', '\n', '\t', '(', ')', '"', '，', '。', '？', '！'];

    private static bool SpeaksOfSelf(string question)
    {
        if (SelfPhrasesZh.Any(p => question.Contains(p, StringComparison.Ordinal))) return true;
        if (question.Contains("I am", StringComparison.OrdinalIgnoreCase) && System.Text.RegularExpressions.Regex.IsMatch(question, @"\bI am\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)) return true;
        var words = question.Split(WordSeparators, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i].ToLowerInvariant();
            var before = i > 0 ? words[i - 1].ToLowerInvariant() : "";
            if (SelfWords.Contains(word) || word.StartsWith("j'", StringComparison.Ordinal) || word.StartsWith("j’", StringComparison.Ordinal)) return true;
            if (word == "i" && !AskingBeforeI.Contains(before)) return true;
            if (word == "me" && !AskingBeforeMe.Contains(before)) return true;
        }
        return SpeaksOfSomeone(question);
    }

    // A capitalized first word of a sentence followed by a statement verb: a name the identifier scan skips there.
    private static bool SpeaksOfSomeone(string question)
    {
        foreach (var sentence in question.Split(['.', '?', '!', '\n', '。', '？', '！'], StringSplitOptions.RemoveEmptyEntries))
        {
            var words = sentence.Split(WordSeparators, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || words[0].Length < 2 || !char.IsUpper(words[0][0]) || !words[0].Skip(1).All(char.IsLower)) continue;
            if (!SentenceOpeners.Contains(words[0].ToLowerInvariant()) && StatementVerbs.Contains(words[1].ToLowerInvariant())) return true;
        }
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
