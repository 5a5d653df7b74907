using System.Text;
using Conversations.Text;

namespace Conversations.Prompting.Summaries;

/// <summary>Content terms for English and Chinese text (CJK has no spaces: it uses character bigrams).</summary>
internal static class TextSegmenter
{
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
