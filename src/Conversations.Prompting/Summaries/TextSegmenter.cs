using System.Globalization;
using System.Text;

namespace Conversations.Prompting;

/// <summary>Sentence splitting and content terms for English and Chinese text (CJK has no spaces: it uses character bigrams).</summary>
internal static class TextSegmenter
{
    private static readonly HashSet<string> EnglishStopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "but", "not", "you", "your", "with", "this", "that", "have", "has", "was", "were",
        "can", "could", "would", "should", "will", "what", "which", "who", "how", "why", "when", "where", "there",
        "their", "they", "them", "then", "than", "from", "into", "about", "also", "just", "some", "any", "all", "our",
        "its", "it's", "i'm", "me", "my", "is", "be", "been", "being", "do", "does", "did", "of", "to", "in", "on",
        "at", "by", "an", "or", "if", "so", "as", "it", "we", "he", "she", "his", "her", "a", "i", "yes", "no",
        "please", "thanks", "thank", "here", "user", "assistant", "these", "those", "more", "most", "very", "much", "many", "let", "use",
    };

    // Single CJK characters that carry little meaning on their own; bigrams made only of them are skipped.
    private const string ChineseFunctionChars = "的了是在我你他她它们这那有和就不也都而及与或个吗呢吧啊呀么请把被对从到为以上下中";

    /// <summary>Splits text into trimmed sentences, flagging those that end in a question mark.</summary>
    public static IEnumerable<(string Sentence, bool IsQuestion)> SplitSentences(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var isEnd = c is '。' or '！' or '？' or '!' or '?' or '\n' or '；' or ';'
                || (c == '.' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (!isEnd) continue;
            var sentence = text[start..(i + 1)].Trim();
            if (sentence.Length > 1 || (sentence.Length == 1 && !IsTerminator(sentence[0])))
                yield return (sentence, c is '?' or '？');
            start = i + 1;
        }
        var rest = text[start..].Trim();
        if (rest.Length > 0) yield return (rest, false);
    }

    /// <summary>Content terms: lower-cased English words of 3+ letters (not stop words) and CJK character bigrams.</summary>
    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        var word = new StringBuilder();
        char? previousCjk = null;
        foreach (var c in text)
        {
            if (IsCjk(c))
            {
                FlushWord(word, terms);
                if (previousCjk is { } p && !(ChineseFunctionChars.Contains(p) && ChineseFunctionChars.Contains(c)))
                    terms.Add(string.Concat(p, c));
                previousCjk = c;
                continue;
            }
            previousCjk = null;
            if (char.IsLetterOrDigit(c) || c == '\'') word.Append(char.ToLowerInvariant(c));
            else FlushWord(word, terms);
        }
        FlushWord(word, terms);
        return terms;
    }

    /// <summary>True for CJK ideographs and kana/hangul, which are written without spaces.</summary>
    public static bool IsCjk(char c) =>
        char.GetUnicodeCategory(c) == UnicodeCategory.OtherLetter && c >= '\u2E80';

    private static bool IsTerminator(char c) => c is '。' or '！' or '？' or '!' or '?' or '.' or '；' or ';';

    private static void FlushWord(StringBuilder word, List<string> terms)
    {
        if (word.Length >= 3)
        {
            var w = word.ToString().Trim('\'');
            if (w.Length >= 3 && !EnglishStopWords.Contains(w)) terms.Add(w);
        }
        word.Clear();
    }
}
