using System.Globalization;
using System.Text;

namespace Conversations.Models.Extractive;

/// <summary>Cheap language-neutral term extraction: lower-cased words for Latin text, character bigrams for CJK.</summary>
internal static class TextTerms
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "is", "are", "was", "were", "be", "to", "of", "and", "or", "in", "on", "for", "with", "what",
        "how", "why", "who", "when", "where", "which", "do", "does", "did", "i", "you", "me", "my", "your", "it", "this",
        "that", "can", "could", "would", "should", "please", "about", "tell", "there", "from", "at", "by", "as",
    };

    /// <summary>The set of terms of a text.</summary>
    public static HashSet<string> Terms(string text)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        char? prevCjk = null;
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            if (IsCjk(c))
            {
                Flush();
                if (prevCjk is { } p) terms.Add(string.Concat(p, c));
                else terms.Add(c.ToString());
                prevCjk = c;
                continue;
            }
            prevCjk = null;
            if (char.IsLetterOrDigit(c)) word.Append(c);
            else Flush();
        }
        Flush();
        return terms;

        void Flush()
        {
            if (word.Length > 1)
            {
                var w = word.ToString();
                if (!StopWords.Contains(w)) terms.Add(w);
            }
            word.Clear();
        }
    }

    /// <summary>How many terms the two sets share.</summary>
    public static int Overlap(HashSet<string> a, HashSet<string> b) => a.Count(b.Contains);

    /// <summary>Sentences of a text (split on 。！？, line breaks, and . ! ? before whitespace or the end).</summary>
    public static IEnumerable<string> Sentences(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // "hr@demo.example" and "3.5" are not sentence ends.
            var latinEnd = c is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]));
            if (latinEnd || c is '。' or '！' or '？' or '\n')
            {
                var s = text[start..(i + 1)].Trim();
                if (s.Length > 3) yield return s;
                start = i + 1;
            }
        }
        var tail = text[start..].Trim();
        if (tail.Length > 3) yield return tail;
    }

    /// <summary>True when most letters are CJK.</summary>
    public static bool IsMostlyChinese(string text)
    {
        int cjk = 0, letters = 0;
        foreach (var c in text)
        {
            if (IsCjk(c)) cjk++;
            else if (char.IsLetter(c)) letters++;
        }
        return cjk > 0 && cjk * 2 >= letters;
    }

    private static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF';
}
