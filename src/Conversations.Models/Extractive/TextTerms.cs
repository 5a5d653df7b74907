using System.Text;
using Conversations.Text;

namespace Conversations.Models.Extractive;

/// <summary>Cheap language-neutral term extraction: lower-cased words for Latin text, character bigrams for Chinese.</summary>
internal static class TextTerms
{
    /// <summary>The set of terms of a text: lower-cased words of 2+ characters (not English stop words), and for each Han run its first character and its bigrams.</summary>
    public static HashSet<string> Terms(string text)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        var han = new StringBuilder();
        foreach (var raw in text.EnumerateRunes())
        {
            var rune = Rune.ToLowerInvariant(raw);
            if (Scripts.IsHan(rune.Value))
            {
                FlushWord();
                han.Append(rune.ToString());
                continue;
            }
            FlushHan();
            if (Rune.IsLetterOrDigit(rune)) word.Append(rune.ToString());
            else FlushWord();
        }
        FlushWord();
        FlushHan();
        return terms;

        void FlushWord()
        {
            if (word.Length > 1)
            {
                var w = word.ToString();
                if (!StopWords.IsEnglish(w)) terms.Add(w);
            }
            word.Clear();
        }

        void FlushHan()
        {
            if (han.Length == 0) return;
            var run = han.ToString();
            terms.Add(Rune.GetRuneAt(run, 0).ToString());
            terms.UnionWith(Bigrams.Of(run));
            han.Clear();
        }
    }

    /// <summary>How many terms the two sets share.</summary>
    public static int Overlap(HashSet<string> a, HashSet<string> b) => a.Count(b.Contains);
}
