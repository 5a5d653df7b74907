using System.Globalization;
using System.Text;
using Conversations.Text;

namespace Conversations.Routing.Learned;

/// <summary>
/// The question's wording as hashed n-grams, the part all-MiniLM-L6-v2 sees poorly: Chinese characters and their
/// overlapping pairs (a Chinese question has no spaces, and the English model reads little of it), English words and
/// word pairs, and symbols. Each term is hashed (FNV-1a, stable across processes) into one of a fixed number of
/// buckets; the counts are L2-normalized so a long question does not outweigh a short one.
/// </summary>
public static class QuestionNgrams
{
    /// <summary>The terms of <paramref name="question"/> before hashing, in order: prefixed "h:" (Chinese) or "w:" (other words and symbols).</summary>
    public static IEnumerable<string> Terms(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var text = question.Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture);
        foreach (var run in Bigrams.Runs(text, c => Scripts.IsHan(c)))
        {
            foreach (var rune in run.EnumerateRunes()) yield return "h:" + rune;
            foreach (var pair in Bigrams.Of(run)) yield return "h:" + pair;
        }
        string? previous = null;
        foreach (var word in Words(text))
        {
            if (word.Length == 0)
            {
                previous = null; // a Chinese run between two words: they are not a pair
                continue;
            }
            yield return "w:" + word;
            if (previous is not null) yield return "w:" + previous + " " + word;
            previous = word;
        }
    }

    /// <summary>
    /// The L2-normalized bucket counts of <paramref name="question"/>'s terms; all zeros for a question without terms.
    /// Throws <see cref="ArgumentOutOfRangeException"/> when <paramref name="buckets"/> is not positive.
    /// </summary>
    public static double[] Of(string question, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        var counts = new double[buckets];
        foreach (var term in Terms(question ?? string.Empty)) counts[Bucket(term, buckets)]++;
        var norm = Math.Sqrt(counts.Sum(c => c * c));
        if (norm > 0) for (var i = 0; i < buckets; i++) counts[i] /= norm;
        return counts;
    }

    /// <summary>The bucket of one term: FNV-1a over its UTF-16 units, modulo <paramref name="buckets"/>.</summary>
    public static int Bucket(string term, int buckets)
    {
        ArgumentNullException.ThrowIfNull(term);
        var h = 2166136261u;
        foreach (var c in term) h = (h ^ c) * 16777619u;
        return (int)(h % (uint)buckets);
    }

    // Words outside Chinese runs: letters and digits together (every digit read as 0, so "3200" and "1500" are one
    // term), and each other visible symbol alone ("=", "^", "?" carry meaning here); a Chinese run ends a word and
    // yields an empty marker.
    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) && !Scripts.IsHan(rune.Value))
            {
                word.Append(Rune.IsDigit(rune) ? "0" : rune.ToString());
                continue;
            }
            if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
            if (Scripts.IsHan(rune.Value)) yield return string.Empty;
            else if (!Rune.IsWhiteSpace(rune)) yield return rune.ToString();
        }
        if (word.Length > 0) yield return word.ToString();
    }
}
