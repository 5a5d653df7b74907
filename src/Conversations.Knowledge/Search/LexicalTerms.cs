using System.Globalization;
using System.Text;
using Conversations.Text;

namespace Conversations.Knowledge.Search;

/// <summary>
/// Text preparation for PostgreSQL full-text search with the 'simple' configuration, which splits on non-word
/// characters only: a run of Chinese or Japanese characters would be one huge word, so such runs are also indexed and
/// queried as overlapping character bigrams (a single character stays a unigram).
/// </summary>
public static class LexicalTerms
{
    /// <summary>Most terms a query keeps; long questions keep their first terms.</summary>
    public const int MaxQueryTerms = 32;

    /// <summary>The bigrams of every CJK run in <paramref name="text"/>, space-separated (stored next to the content).</summary>
    public static string CjkBigrams(string text)
    {
        var sb = new StringBuilder();
        foreach (var run in Bigrams.Runs(text, IsBigrammed))
            foreach (var gram in Bigrams.OfOrSingle(run))
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

    /// <summary>The distinct lower-cased terms of a question: words (English stop words dropped) and CJK bigrams.</summary>
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
            if (w.Length >= 2 && !StopWords.IsEnglish(w)) Add(w);
            else if (w.Length == 1 && char.IsDigit(w[0])) Add(w);
        }
        var cjk = new StringBuilder();
        void FlushCjk()
        {
            if (cjk.Length == 0) return;
            foreach (var g in Bigrams.OfOrSingle(cjk.ToString())) Add(g);
            cjk.Clear();
        }
        foreach (var rune in question.EnumerateRunes())
        {
            if (IsBigrammed(rune.Value)) { FlushWord(); cjk.Append(rune.ToString()); }
            else if (Rune.IsLetterOrDigit(rune)) { FlushCjk(); word.Append(rune.ToString()); }
            else { FlushWord(); FlushCjk(); }
        }
        FlushWord();
        FlushCjk();
        return terms;
    }

    // Han and kana letters only (Korean is split on its spaces like Latin text). Stored chunks carry the bigrams this
    // rule made when they were indexed, so a change here needs the documents indexed again.
    private static bool IsBigrammed(int codePoint) =>
        Scripts.IsHanOrKana(codePoint) && CharUnicodeInfo.GetUnicodeCategory(codePoint) == UnicodeCategory.OtherLetter;
}
