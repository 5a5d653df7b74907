namespace Conversations.Knowledge.Search;

/// <summary>
/// Reciprocal rank fusion: an item's score is the sum over rankings of 1 / (k + rank), rank starting at 1. It needs no
/// score calibration between rankers (cosine distance and full-text rank are on different scales).
/// </summary>
public static class ReciprocalRankFusion
{
    /// <summary>The usual constant; it damps the weight of the very first ranks.</summary>
    public const int DefaultK = 60;

    /// <summary>Fuses rankings (best first) into one, best first; ties keep the order of first appearance.</summary>
    public static IReadOnlyList<(TKey Key, double Score)> Fuse<TKey>(IEnumerable<IReadOnlyList<TKey>> rankings, int k = DefaultK)
        where TKey : notnull
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), "k must not be negative.");
        var scores = new Dictionary<TKey, (double Score, int First)>();
        var order = 0;
        foreach (var ranking in rankings)
        {
            var seen = new HashSet<TKey>();
            for (var i = 0; i < ranking.Count; i++)
            {
                if (!seen.Add(ranking[i])) continue; // a ranking counts an item once, at its best rank
                var add = 1.0 / (k + i + 1);
                scores[ranking[i]] = scores.TryGetValue(ranking[i], out var s) ? (s.Score + add, s.First) : (add, order++);
            }
        }
        return scores.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Value.First)
            .Select(kv => (kv.Key, kv.Value.Score)).ToList();
    }
}
