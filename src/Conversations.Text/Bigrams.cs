using System.Text;

namespace Conversations.Text;

/// <summary>
/// Overlapping character pairs of a CJK run, the usual terms for text written without spaces: "数据库" gives "数据"
/// and "据库". Counted in code points, so an ideograph outside the basic plane is one character.
/// </summary>
public static class Bigrams
{
    /// <summary>The overlapping pairs of <paramref name="run"/> in order; none for a run of one character.</summary>
    public static IEnumerable<string> Of(string run)
    {
        string? previous = null;
        foreach (var rune in run.EnumerateRunes())
        {
            var current = rune.ToString();
            if (previous is not null) yield return previous + current;
            previous = current;
        }
    }

    /// <summary>The pairs of <paramref name="run"/>, or the run itself when it is one character (a one-character word is still a term).</summary>
    public static IEnumerable<string> OfOrSingle(string run)
    {
        var pairs = 0;
        foreach (var pair in Of(run))
        {
            pairs++;
            yield return pair;
        }
        if (pairs == 0 && run.Length > 0) yield return run;
    }

    /// <summary>The runs of <paramref name="text"/> whose code points all pass <paramref name="inRun"/>, in order.</summary>
    public static IEnumerable<string> Runs(string text, Func<int, bool> inRun)
    {
        var run = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (inRun(rune.Value))
            {
                run.Append(rune.ToString());
                continue;
            }
            if (run.Length > 0)
            {
                yield return run.ToString();
                run.Clear();
            }
        }
        if (run.Length > 0) yield return run.ToString();
    }
}
