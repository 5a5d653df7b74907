using System.Globalization;
using System.Text;

namespace Conversations.Knowledge.Search;

/// <summary>
/// Text preparation for PostgreSQL full-text search with the 'simple' configuration, which splits on non-word
/// characters only: a run of Chinese or Japanese characters would be one huge word, so such runs are also indexed and
/// queried as overlapping character bigrams.
/// </summary>
public static class LexicalTerms
{
    /// <summary>Most terms a query keeps; long questions keep their first terms.</summary>
    public const int MaxQueryTerms = 32;

    // Frequent English words that match almost every chunk and would only add cost and noise to an OR query.
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in", "is", "it",
        "me", "my", "of", "on", "or", "our", "so", "that", "the", "this", "to", "was", "we", "what", "when", "where",
        "which", "who", "why", "will", "with", "you", "your", "about", "there", "their", "tell", "please", "get",
    };

    /// <summary>The bigrams of every CJK run in <paramref name="text"/>, space-separated (stored next to the content).</summary>
    public static string CjkBigrams(string text)
    {
        var sb = new StringBuilder();
        foreach (var run in CjkRuns(text))
            foreach (var gram in Grams(run))
                sb.Append(gram).Append(' ');
        return sb.ToString().TrimEnd();
    }

    /// <summary>
    /// A <c>to_tsquery('simple', …)</c> text that ORs the question's terms, or null when it has none. Terms hold only
    /// letters and digits, so the query text cannot carry tsquery syntax from the user.
    /// </summary>
    public static string? ToTsQuery(string question)
    {
        var terms = QueryTerms(question);
        return terms.Count == 0 ? null : string.Join(" | ", terms.Select(t => $"'{t}'"));
    }

    /// <summary>The distinct lower-cased terms of a question: words (stop words dropped) and CJK bigrams.</summary>
    public static IReadOnlyList<string> QueryTerms(string question)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string t)
        {
            if (terms.Count < MaxQueryTerms && seen.Add(t)) terms.Add(t);
        }
        var word = new StringBuilder();
        void FlushWord()
        {
            if (word.Length == 0) return;
            var w = word.ToString().ToLowerInvariant();
            word.Clear();
            if (w.Length >= 2 && !StopWords.Contains(w)) Add(w);
            else if (w.Length == 1 && char.IsDigit(w[0])) Add(w);
        }
        var cjk = new StringBuilder();
        void FlushCjk()
        {
            if (cjk.Length == 0) return;
            foreach (var g in Grams(cjk.ToString())) Add(g);
            cjk.Clear();
        }
        foreach (var rune in question.EnumerateRunes())
        {
            if (IsCjk(rune)) { FlushWord(); cjk.Append(rune.ToString()); }
            else if (Rune.IsLetterOrDigit(rune)) { FlushCjk(); word.Append(rune.ToString()); }
            else { FlushWord(); FlushCjk(); }
        }
        FlushWord();
        FlushCjk();
        return terms;
    }

    private static IEnumerable<string> CjkRuns(string text)
    {
        var run = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsCjk(rune)) { run.Append(rune.ToString()); continue; }
            if (run.Length > 0) { yield return run.ToString(); run.Clear(); }
        }
        if (run.Length > 0) yield return run.ToString();
    }

    // A single character stays a unigram; longer runs become overlapping bigrams.
    private static IEnumerable<string> Grams(string run)
    {
        var runes = run.EnumerateRunes().Select(r => r.ToString()).ToList();
        if (runes.Count == 1) { yield return runes[0]; yield break; }
        for (var i = 0; i + 1 < runes.Count; i++) yield return runes[i] + runes[i + 1];
    }

    private static bool IsCjk(Rune r) => Rune.GetUnicodeCategory(r) == UnicodeCategory.OtherLetter && r.Value is
        (>= 0x3040 and <= 0x30FF)     // Hiragana, Katakana
        or (>= 0x3400 and <= 0x4DBF)  // CJK extension A
        or (>= 0x4E00 and <= 0x9FFF)  // CJK unified ideographs
        or (>= 0xF900 and <= 0xFAFF)  // compatibility ideographs
        or (>= 0x20000 and <= 0x2FA1F);
}
