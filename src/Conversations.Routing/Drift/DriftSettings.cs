namespace Conversations.Routing.Drift;

/// <summary>
/// A tenant's drift thresholds and schedule. A signal is breached when its statistic reaches the threshold here and
/// is also beyond what sampling noise explains for the two window sizes (see <see cref="DriftStatistics"/>).
/// </summary>
public sealed record DriftSettings
{
    /// <summary>Population stability index over the reference's topic clusters (plus "unlike any") that counts as drift.</summary>
    public double TopicPsi { get; init; } = 0.25;
    /// <summary>Cosine distance between the reference's and the window's mean question embedding.</summary>
    public double CentroidShift { get; init; } = 0.1;
    /// <summary>How many times wider (or narrower) the window's spread around its centroid may be than the reference's.</summary>
    public double SpreadRatio { get; init; } = 1.5;
    /// <summary>PSI over the language buckets.</summary>
    public double LanguagePsi { get; init; } = 0.25;
    /// <summary>PSI over the question length buckets.</summary>
    public double QuestionLengthPsi { get; init; } = 0.25;
    /// <summary>PSI over the answer length buckets.</summary>
    public double AnswerLengthPsi { get; init; } = 0.25;
    /// <summary>Rise of the refused share of questions (0.1 = ten percentage points).</summary>
    public double RefusalRateIncrease { get; init; } = 0.1;
    /// <summary>Rise of the share of searched questions that found no source.</summary>
    public double NoSourcesRateIncrease { get; init; } = 0.2;
    /// <summary>Rise of the share of answers that came from a fallback (a backup model or the extractive responder after a failure).</summary>
    public double FallbackRateIncrease { get; init; } = 0.1;
    /// <summary>Rise of thumbs-down votes per answer.</summary>
    public double NegativeFeedbackRateIncrease { get; init; } = 0.1;
    /// <summary>Fewest questions a window needs before it is compared (or taken as the reference).</summary>
    public int MinSamples { get; init; } = 30;
    /// <summary>Questions the first window collects before it becomes the reference on its own.</summary>
    public int ReferenceSamples { get; init; } = 100;
    /// <summary>Minutes between scheduled checks.</summary>
    public int CheckPeriodMinutes { get; init; } = 60;

    /// <summary>Most minutes between checks (a week).</summary>
    public const int MaxCheckPeriodMinutes = 7 * 24 * 60;

    /// <summary>What is wrong with these settings, or null when they are valid.</summary>
    public string? Problem()
    {
        foreach (var (name, value) in new[]
                 {
                     ("topicPsi", TopicPsi), ("languagePsi", LanguagePsi), ("questionLengthPsi", QuestionLengthPsi), ("answerLengthPsi", AnswerLengthPsi),
                 })
            if (!(value is > 0 and <= 10)) return $"{name} must be above 0 and at most 10.";
        if (!(CentroidShift is > 0 and <= 2)) return "centroidShift must be above 0 and at most 2 (a cosine distance).";
        if (!(SpreadRatio is > 1 and <= 10)) return "spreadRatio must be above 1 and at most 10.";
        foreach (var (name, value) in new[]
                 {
                     ("refusalRateIncrease", RefusalRateIncrease), ("noSourcesRateIncrease", NoSourcesRateIncrease),
                     ("fallbackRateIncrease", FallbackRateIncrease), ("negativeFeedbackRateIncrease", NegativeFeedbackRateIncrease),
                 })
            if (!(value is > 0 and <= 1)) return $"{name} must be above 0 and at most 1 (a share).";
        if (MinSamples is < 10 or > 100_000) return "minSamples must be between 10 and 100000.";
        if (ReferenceSamples < MinSamples || ReferenceSamples > 1_000_000) return "referenceSamples must be at least minSamples and at most 1000000.";
        if (CheckPeriodMinutes is < 1 or > MaxCheckPeriodMinutes) return $"checkPeriodMinutes must be between 1 and {MaxCheckPeriodMinutes}.";
        return null;
    }
}
