using System.Text;
using Conversations.Moderation.Pii;

namespace Conversations.Moderation.Engine;

/// <summary>Applies hits to text: lexicon words become <c>***</c>, PII its kind's mask (see <see cref="PiiMasker"/>).</summary>
public static class TextMasker
{
    /// <summary>The replacement for a lexicon word.</summary>
    public const string WordMask = "***";

    /// <summary>Masks every hit in <paramref name="hits"/> accepted by <paramref name="include"/>; overlapping hits merge.</summary>
    public static string Mask(ReadOnlySpan<char> text, IReadOnlyList<ModerationHit> hits, Func<ModerationHit, bool> include)
    {
        var selected = new List<ModerationHit>(hits.Count);
        foreach (var hit in hits)
        {
            if (include(hit) && hit.End > hit.Start && hit.End <= text.Length)
                selected.Add(hit);
        }
        if (selected.Count == 0)
            return text.ToString();
        // Earlier start first; on a tie the longer hit wins and swallows the shorter.
        selected.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var output = new StringBuilder(text.Length);
        var cursor = 0;
        foreach (var hit in selected)
        {
            if (hit.End <= cursor)
                continue;
            if (hit.Start < cursor)
            {
                // Overlap: the part not yet covered is hidden too, without revealing where one hit ends.
                output.Append('*', hit.End - cursor);
                cursor = hit.End;
                continue;
            }
            output.Append(text[cursor..hit.Start]);
            if (hit.PiiKind is { } kind)
                PiiMasker.Append(kind, text[hit.Start..hit.End], output);
            else
                output.Append(WordMask);
            cursor = hit.End;
        }
        output.Append(text[cursor..]);
        return output.ToString();
    }
}
