using System.Text;
using Conversations.Text;

namespace Conversations.Prompting;

/// <summary>Sentence splitting and content terms for English and Chinese text (CJK has no spaces: it uses character bigrams).</summary>
internal static class TextSegmenter
{
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

    /// <summary>
    /// Content terms: lower-cased English words of 3+ letters (not stop words of a transcript) and CJK character
    /// bigrams (not those made only of Chinese function characters).
    /// </summary>
    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        var word = new StringBuilder();
        var cjk = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Scripts.IsCjk(rune.Value))
            {
                FlushWord(word, terms);
                cjk.Append(rune.ToString());
                continue;
            }
            FlushCjk(cjk, terms);
            if (Rune.IsLetterOrDigit(rune) || rune.Value == '\'') word.Append(Rune.ToLowerInvariant(rune).ToString());
            else FlushWord(word, terms);
        }
        FlushWord(word, terms);
        FlushCjk(cjk, terms);
        return terms;
    }

    private static bool IsTerminator(char c) => c is '。' or '！' or '？' or '!' or '?' or '.' or '；' or ';';

    private static void FlushWord(StringBuilder word, List<string> terms)
    {
        if (word.Length >= 3)
        {
            var w = word.ToString().Trim('\'');
            if (w.Length >= 3 && !StopWords.IsTranscriptWord(w)) terms.Add(w);
        }
        word.Clear();
    }

    private static void FlushCjk(StringBuilder run, List<string> terms)
    {
        if (run.Length == 0) return;
        terms.AddRange(Bigrams.Of(run.ToString()).Where(b => !StopWords.IsChineseFunctionBigram(b)));
        run.Clear();
    }
}
