namespace Conversations.Routing.Drift;

/// <summary>Spherical k-means (cosine similarity, unit-length centroids) with k-means++ seeding from a fixed seed, so one sample always gives the same clusters.</summary>
internal static class KMeans
{
    /// <summary>Most refinement rounds.</summary>
    public const int MaxIterations = 25;

    /// <summary>At most <paramref name="k"/> unit-length centroids of <paramref name="vectors"/>.</summary>
    public static List<float[]> Cluster(IReadOnlyList<float[]> vectors, int k, int seed)
    {
        var random = new Random(seed);
        k = Math.Min(k, vectors.Count);
        var centroids = new List<float[]> { Normalize(vectors[random.Next(vectors.Count)]) };
        while (centroids.Count < k)
        {
            // k-means++: the next seed is drawn with probability growing with its distance to the nearest chosen one.
            var distances = vectors.Select(v => Math.Max(0, 1 - centroids.Max(c => DriftVectors.Cosine(c, v)))).ToArray();
            var total = distances.Sum();
            if (total <= 0) break;
            var pick = random.NextDouble() * total;
            var index = 0;
            while (index < distances.Length - 1 && (pick -= distances[index]) > 0) index++;
            centroids.Add(Normalize(vectors[index]));
        }
        var assignment = new int[vectors.Count];
        for (var round = 0; round < MaxIterations; round++)
        {
            var moved = false;
            for (var i = 0; i < vectors.Count; i++)
            {
                var best = 0;
                var bestSimilarity = double.NegativeInfinity;
                for (var c = 0; c < centroids.Count; c++)
                {
                    var s = DriftVectors.Cosine(centroids[c], vectors[i]);
                    if (s > bestSimilarity) (best, bestSimilarity) = (c, s);
                }
                if (assignment[i] != best || round == 0) moved |= assignment[i] != best;
                assignment[i] = best;
            }
            if (!moved && round > 0) break;
            for (var c = 0; c < centroids.Count; c++)
            {
                var members = Enumerable.Range(0, vectors.Count).Where(i => assignment[i] == c).Select(i => vectors[i]).ToList();
                if (members.Count > 0) centroids[c] = Normalize(DriftVectors.Mean(members));
            }
        }
        return centroids;
    }

    private static float[] Normalize(float[] v)
    {
        var norm = Math.Sqrt(DriftVectors.Dot(v, v));
        return norm > 0 ? v.Select(x => (float)(x / norm)).ToArray() : [.. v];
    }
}
