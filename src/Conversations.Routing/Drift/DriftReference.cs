namespace Conversations.Routing.Drift;

/// <summary>
/// The window later windows are compared with: its counts (without the reservoir), the topic clusters found in its
/// embeddings (k-means centroids, packed), each cluster's share plus the share of questions unlike every cluster, the
/// similarity below which a question counts as unlike them, the mean embedding and the spread around it.
/// </summary>
public sealed class DriftReference
{
    /// <summary>When the reference window began.</summary>
    public DateTimeOffset From { get; set; }
    /// <summary>When it became the reference.</summary>
    public DateTimeOffset To { get; set; }
    /// <summary>The reference window's counts; its reservoir is dropped.</summary>
    public DriftWindow Counts { get; set; } = new();
    /// <summary>Thumbs-down votes cast during the reference window.</summary>
    public long NegativeVotes { get; set; }
    /// <summary>Embeddings the clusters were built from.</summary>
    public int Vectors { get; set; }
    /// <summary>Topic cluster centroids, packed.</summary>
    public List<byte[]> Clusters { get; set; } = [];
    /// <summary>Share of the reference's embeddings per cluster, then the "unlike any cluster" share last.</summary>
    public double[] ClusterShares { get; set; } = [];
    /// <summary>Similarity to the nearest centroid below which a question is "unlike any cluster" (the reference's 5th percentile).</summary>
    public double NoveltySimilarity { get; set; }
    /// <summary>The mean embedding, packed (direction only).</summary>
    public byte[] Centroid { get; set; } = [];
    /// <summary>Mean cosine distance of the reference's embeddings to their mean.</summary>
    public double Spread { get; set; }
    /// <summary>Squared length of the mean embedding (short when the questions point many ways).</summary>
    public double CentroidNorm2 { get; set; }
    /// <summary>Mean squared distance of the reference's embeddings to their mean (the trace of their covariance).</summary>
    public double Dispersion { get; set; }
}

/// <summary>One compared signal of a drift check.</summary>
/// <param name="Name">topic, centroid, spread, language, question_length, answer_length, refusal_rate, no_sources_rate, fallback_rate, negative_feedback_rate.</param>
/// <param name="Side">"question" or "answer".</param>
/// <param name="Statistic">What was measured: "psi", "cosine_distance", "ratio" or "rate_increase".</param>
/// <param name="Value">The statistic's value.</param>
/// <param name="Threshold">The tenant's threshold for it.</param>
/// <param name="NoiseLevel">What sampling noise alone reaches with 99.9 % probability for these window sizes (0 where not computed).</param>
/// <param name="Reference">The reference's figure (a rate or a mean) where one applies.</param>
/// <param name="Current">The window's figure where one applies.</param>
/// <param name="Breached">At or past the threshold and beyond the noise level.</param>
public sealed record DriftSignal(string Name, string Side, string Statistic, double Value, double Threshold, double NoiseLevel,
    double? Reference, double? Current, bool Breached);

/// <summary>The result of comparing one window with the reference.</summary>
/// <param name="Questions">Questions in the compared window.</param>
/// <param name="ReferenceQuestions">Questions in the reference window.</param>
public sealed record DriftComparison(long Questions, long ReferenceQuestions, IReadOnlyList<DriftSignal> Signals)
{
    /// <summary>True when any signal is breached.</summary>
    public bool Drifted => Signals.Any(s => s.Breached);
}
