namespace Conversations.Routing.Drift;

/// <summary>
/// The drift statistics. Distributions (topic clusters, languages, question and answer lengths) are compared by the
/// population stability index PSI = Σ (qᵢ − pᵢ)·ln(qᵢ/pᵢ) over add-½-smoothed shares; a PSI counts only beyond the
/// 99.9th percentile sampling noise gives it for window sizes n and m (n·m/(n+m)·PSI is about χ² with bins−1 degrees
/// of freedom when nothing changed). Topics are the reference's k-means clusters of question embeddings plus an
/// "unlike any cluster" bin; the mean embedding is compared by cosine distance (beyond its own noise level,
/// <see cref="CentroidNoiseLevel"/>), the spread by ratio. Answer-side rates
/// are compared by their rise, counting only beyond a two-proportion z of 3.09 (also 99.9 %).
/// </summary>
public static class DriftStatistics
{
    /// <summary>Fewest embeddings clusters are built from; with fewer, the topic signals are skipped.</summary>
    public const int MinVectorsForTopics = 10;

    /// <summary>Most topic clusters.</summary>
    public const int MaxClusters = 8;

    /// <summary>The one-sided 99.9 % point of the standard normal distribution.</summary>
    public const double Z999 = 3.0902;

    /// <summary>The share of reference questions that fall in the "unlike any cluster" bin by construction.</summary>
    public const double NoveltyPercentile = 0.05;

    /// <summary>Turns <paramref name="window"/> into a reference: clusters its reservoir, keeps its counts.</summary>
    public static DriftReference Freeze(DriftWindow window, long negativeVotes, DateTimeOffset now)
    {
        // Concurrent turns fill the reservoir in any order; sorted, one set of questions always gives the same clusters.
        var vectors = window.Reservoir.Order(PackedOrder.Instance).Select(v => DriftVectors.Unpack(v)).ToList();
        var reference = new DriftReference
        {
            From = window.StartedAt, To = now, NegativeVotes = negativeVotes, Vectors = vectors.Count,
            Counts = new DriftWindow
            {
                StartedAt = window.StartedAt, Questions = window.Questions, Refused = window.Refused, Answered = window.Answered,
                Searched = window.Searched, NoSources = window.NoSources, Fallbacks = window.Fallbacks,
                Languages = [.. window.Languages], QuestionLengths = [.. window.QuestionLengths], AnswerLengths = [.. window.AnswerLengths],
                Embedded = window.Embedded,
            },
        };
        if (vectors.Count < MinVectorsForTopics) return reference;

        var centroid = DriftVectors.Mean(vectors);
        reference.Centroid = DriftVectors.Pack(centroid);
        reference.Spread = DriftVectors.Spread(vectors, centroid);
        reference.CentroidNorm2 = DriftVectors.Dot(centroid, centroid);
        reference.Dispersion = vectors.Average(v => SquaredDistance(v, centroid));
        var k = Math.Clamp(vectors.Count / 10, 2, MaxClusters);
        var clusters = KMeans.Cluster(vectors, k, seed: 17);
        var nearest = vectors.Select(v => Nearest(clusters, v)).ToList();
        var similarities = nearest.Select(n => n.Similarity).Order().ToList();
        reference.NoveltySimilarity = similarities[(int)Math.Floor(NoveltyPercentile * (similarities.Count - 1))];
        reference.Clusters = clusters.Select(c => DriftVectors.Pack(c)).ToList();
        reference.ClusterShares = Shares(TopicCounts(clusters, reference.NoveltySimilarity, vectors));
        return reference;
    }

    /// <summary>Compares <paramref name="window"/> (with <paramref name="negativeVotes"/> cast during it) with <paramref name="reference"/>.</summary>
    public static DriftComparison Compare(DriftReference reference, DriftWindow window, long negativeVotes, DriftSettings settings)
    {
        var r = reference.Counts;
        var signals = new List<DriftSignal>();
        var vectors = window.Reservoir.Select(v => DriftVectors.Unpack(v)).ToList();
        if (reference.Clusters.Count > 0 && vectors.Count >= MinVectorsForTopics && vectors[0].Length == reference.Centroid.Length)
        {
            var clusters = reference.Clusters.Select(c => DriftVectors.Unpack(c)).ToList();
            var counts = TopicCounts(clusters, reference.NoveltySimilarity, vectors);
            var referenceCounts = reference.ClusterShares.Select(s => s * reference.Vectors).ToArray();
            signals.Add(Distribution("topic", "question", referenceCounts, counts.Select(c => (double)c).ToArray(), settings.TopicPsi));
            var centroid = DriftVectors.Mean(vectors);
            var shift = 1 - DriftVectors.Cosine(DriftVectors.Unpack(reference.Centroid), centroid);
            var noise = CentroidNoiseLevel(reference, vectors.Count);
            signals.Add(new DriftSignal("centroid", "question", "cosine_distance", Round(shift), settings.CentroidShift, Round(noise), null, null,
                shift >= settings.CentroidShift && shift > noise));
            var spread = DriftVectors.Spread(vectors, centroid);
            var ratio = reference.Spread > 0 ? spread / reference.Spread : 1;
            signals.Add(new DriftSignal("spread", "question", "ratio", Round(ratio), settings.SpreadRatio, 0, Round(reference.Spread), Round(spread),
                ratio >= settings.SpreadRatio || ratio <= 1 / settings.SpreadRatio));
        }
        signals.Add(Distribution("language", "question", ToDouble(r.Languages), ToDouble(window.Languages), settings.LanguagePsi));
        signals.Add(Distribution("question_length", "question", ToDouble(r.QuestionLengths), ToDouble(window.QuestionLengths), settings.QuestionLengthPsi));
        if (r.Answered > 0 && window.Answered > 0)
            signals.Add(Distribution("answer_length", "answer", ToDouble(r.AnswerLengths), ToDouble(window.AnswerLengths), settings.AnswerLengthPsi));
        signals.Add(RateRise("refusal_rate", r.Refused, r.Questions, window.Refused, window.Questions, settings.RefusalRateIncrease));
        if (r.Searched > 0 && window.Searched > 0)
            signals.Add(RateRise("no_sources_rate", r.NoSources, r.Searched, window.NoSources, window.Searched, settings.NoSourcesRateIncrease));
        if (r.Answered > 0 && window.Answered > 0)
        {
            signals.Add(RateRise("fallback_rate", r.Fallbacks, r.Answered, window.Fallbacks, window.Answered, settings.FallbackRateIncrease));
            signals.Add(RateRise("negative_feedback_rate", Math.Min(reference.NegativeVotes, r.Answered), r.Answered,
                Math.Min(negativeVotes, window.Answered), window.Answered, settings.NegativeFeedbackRateIncrease));
        }
        return new DriftComparison(window.Questions, r.Questions, signals);
    }

    /// <summary>The population stability index of <paramref name="current"/> against <paramref name="reference"/> (counts per bin, add-½ smoothed).</summary>
    public static double Psi(IReadOnlyList<double> reference, IReadOnlyList<double> current)
    {
        var p = Smoothed(reference);
        var q = Smoothed(current);
        double psi = 0;
        for (var i = 0; i < p.Length; i++) psi += (q[i] - p[i]) * Math.Log(q[i] / p[i]);
        return psi;
    }

    /// <summary>The PSI sampling noise reaches with 99.9 % probability when both windows (sizes n and m) come from one distribution over <paramref name="bins"/> bins.</summary>
    public static double PsiNoiseLevel(int bins, double n, double m) =>
        bins < 2 || n <= 0 || m <= 0 ? double.PositiveInfinity : ChiSquare999(bins - 1) * (1 / n + 1 / m);

    /// <summary>The 99.9th percentile of χ² with <paramref name="df"/> degrees of freedom (Wilson–Hilferty).</summary>
    public static double ChiSquare999(int df)
    {
        var a = 2.0 / (9 * df);
        return df * Math.Pow(1 - a + Z999 * Math.Sqrt(a), 3);
    }

    /// <summary>
    /// The cosine distance between two sample means of the reference distribution (sizes n and m) stays under with
    /// 99.9 % probability, about: the mean difference Δ has E‖Δ‖² = D·(1/n + 1/m) for dispersion D, a distance of
    /// ‖Δ‖²/(2‖μ‖²), and ‖Δ‖²/E‖Δ‖² is taken as χ² over two degrees of freedom (the least spread, so the highest bound).
    /// </summary>
    public static double CentroidNoiseLevel(DriftReference reference, int n) =>
        n <= 0 || reference.Vectors <= 0 || reference.CentroidNorm2 <= 0
            ? double.PositiveInfinity
            : ChiSquare999(2) / 2 * reference.Dispersion * (1.0 / n + 1.0 / reference.Vectors) / (2 * reference.CentroidNorm2);

    private static double SquaredDistance(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return sum;
    }

    private static DriftSignal Distribution(string name, string side, double[] reference, double[] current, double threshold)
    {
        // Bins empty in both windows carry no information and would only inflate the degrees of freedom.
        var used = Enumerable.Range(0, reference.Length).Where(i => reference[i] + current[i] > 0).ToList();
        var p = used.Select(i => reference[i]).ToArray();
        var q = used.Select(i => current[i]).ToArray();
        var psi = used.Count < 2 ? 0 : Psi(p, q);
        var noise = PsiNoiseLevel(used.Count, q.Sum(), p.Sum());
        return new DriftSignal(name, side, "psi", Round(psi), threshold, Round(noise), null, null, psi >= threshold && psi > noise);
    }

    private static DriftSignal RateRise(string name, long referenceHits, long referenceTotal, long hits, long total, double threshold)
    {
        var before = referenceTotal > 0 ? (double)referenceHits / referenceTotal : 0;
        var now = total > 0 ? (double)hits / total : 0;
        var pooled = referenceTotal + total > 0 ? (double)(referenceHits + hits) / (referenceTotal + total) : 0;
        var noise = referenceTotal > 0 && total > 0
            ? Z999 * Math.Sqrt(pooled * (1 - pooled) * (1.0 / referenceTotal + 1.0 / total))
            : double.PositiveInfinity;
        var rise = now - before;
        return new DriftSignal(name, "answer", "rate_increase", Round(rise), threshold, Round(noise), Round(before), Round(now),
            rise >= threshold && rise > noise);
    }

    private static long[] TopicCounts(IReadOnlyList<float[]> clusters, double noveltySimilarity, IReadOnlyList<float[]> vectors)
    {
        var counts = new long[clusters.Count + 1];
        foreach (var v in vectors)
        {
            var (index, similarity) = Nearest(clusters, v);
            counts[similarity < noveltySimilarity ? clusters.Count : index]++;
        }
        return counts;
    }

    private static (int Index, double Similarity) Nearest(IReadOnlyList<float[]> clusters, float[] v)
    {
        var (best, bestSimilarity) = (0, double.NegativeInfinity);
        for (var i = 0; i < clusters.Count; i++)
        {
            var s = DriftVectors.Cosine(clusters[i], v);
            if (s > bestSimilarity) (best, bestSimilarity) = (i, s);
        }
        return (best, bestSimilarity);
    }

    private static double[] Smoothed(IReadOnlyList<double> counts)
    {
        var total = counts.Sum() + 0.5 * counts.Count;
        return counts.Select(c => (c + 0.5) / total).ToArray();
    }

    private static double[] Shares(long[] counts)
    {
        var total = (double)counts.Sum();
        return counts.Select(c => total > 0 ? c / total : 0).ToArray();
    }

    private static double[] ToDouble(long[] counts) => counts.Select(c => (double)c).ToArray();

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 4) : value;

    /// <summary>Packed vectors in byte order.</summary>
    private sealed class PackedOrder : IComparer<byte[]>
    {
        public static readonly PackedOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x is null || y is null ? Comparer<byte[]?>.Default.Compare(x, y) : x.AsSpan().SequenceCompareTo(y);
    }
}
