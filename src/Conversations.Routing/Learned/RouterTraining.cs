namespace Conversations.Routing.Learned;

/// <summary>One labeled training question as features: the raw vector (embedding, signals, then any n-gram buckets), its class, and its template (questions of one template stay in one fold).</summary>
public sealed record TrainingRow(double[] Features, string Label, string Template);

/// <summary>
/// Trains the shipped router from labeled rows: standardization and weights on all rows, and the default threshold
/// from out-of-fold scores (folds split by template, so a fold never sees its own templates): the highest threshold
/// at which at most <see cref="TrainingOptions.MaxUnderServed"/> of the questions that need more than the small model
/// would score under it.
/// </summary>
internal static class RouterTraining
{
    /// <summary>Trains weights; throws <see cref="ArgumentException"/> on empty data or an unknown label.</summary>
    public static (RouterWeights Weights, CrossValidation Validation) Train(IReadOnlyList<TrainingRow> rows, int embeddingDimensions, TrainingOptions options)
    {
        var validation = CrossValidate(rows, embeddingDimensions, options);
        var templates = rows.Select(r => r.Template).Distinct(StringComparer.Ordinal).Count();
        var final = Fit(rows, embeddingDimensions, validation.Threshold, options) with
        {
            TrainedOn = $"{rows.Count} train-split questions, {templates} templates; {options.Folds}-fold template-grouped CV threshold {validation.Threshold:0.0000}: " +
                $"under-served {validation.UnderServed:P1}, over-served {validation.OverServed:P1}; L2 {options.Fit.L2} (signals {options.Fit.SignalL2 ?? options.Fit.L2}" +
                (options.NgramBuckets > 0 ? $", {options.NgramBuckets} n-gram buckets {options.Fit.NgramL2 ?? options.Fit.L2}" : "") +
                $"), {options.Fit.Iterations} Adam steps, seed {options.Seed}",
        };
        return (final, validation);
    }

    /// <summary>
    /// Out-of-fold scores of every row (folds split by template) and the threshold they give; throws
    /// <see cref="ArgumentException"/> on empty data or an unknown label.
    /// </summary>
    public static CrossValidation CrossValidate(IReadOnlyList<TrainingRow> rows, int embeddingDimensions, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        if (rows.Count == 0) throw new ArgumentException("No training rows.");
        var unknown = rows.FirstOrDefault(r => !RouterClasses.All.Contains(r.Label));
        if (unknown is not null) throw new ArgumentException($"Unknown label '{unknown.Label}'.");
        if (rows.Any(r => r.Features.Length != rows[0].Features.Length || r.Features.Length < embeddingDimensions + options.NgramBuckets))
            throw new ArgumentException("Every row needs the same features: the embedding, the signals and the n-gram buckets.");

        var oof = new double[rows.Count];
        var templates = rows.Select(r => r.Template).Distinct(StringComparer.Ordinal).OrderBy(t => Mix(t, options.Seed)).ToList();
        for (var fold = 0; fold < options.Folds; fold++)
        {
            var held = templates.Where((_, i) => i % options.Folds == fold).ToHashSet(StringComparer.Ordinal);
            var train = rows.Where(r => !held.Contains(r.Template)).ToList();
            if (train.Count == 0 || train.Count == rows.Count) continue;
            var model = Fit(train, embeddingDimensions, 0, options);
            for (var i = 0; i < rows.Count; i++)
            {
                if (!held.Contains(rows[i].Template)) continue;
                var z = LearnedRouter.Standardize(model, rows[i].Features);
                oof[i] = 1 - LearnedRouter.Probabilities(model, z)[0];
            }
        }

        var needMore = rows.Select((r, i) => (r, i)).Where(p => p.r.Label != RouterClasses.Small).Select(p => oof[p.i]).ToList();
        var threshold = Threshold(needMore, options.MaxUnderServed);
        var smallScores = rows.Select((r, i) => (r, i)).Where(p => p.r.Label == RouterClasses.Small).Select(p => oof[p.i]).ToList();
        return new CrossValidation(options.Folds, threshold,
            needMore.Count == 0 ? 0 : needMore.Count(s => s < threshold) / (double)needMore.Count,
            smallScores.Count == 0 ? 0 : smallScores.Count(s => s >= threshold) / (double)smallScores.Count)
        {
            OutOfFold = oof,
        };
    }

    /// <summary>
    /// The highest threshold that leaves at most <paramref name="maxUnderServed"/> of the need-more questions'
    /// <paramref name="needMoreScores"/> under it: just above the allowed-th lowest score (those under it go small).
    /// </summary>
    public static double Threshold(IEnumerable<double> needMoreScores, double maxUnderServed)
    {
        var sorted = needMoreScores.Order().ToList();
        var allowed = (int)Math.Floor(sorted.Count * maxUnderServed);
        var threshold = sorted.Count == 0 ? 0.5 : allowed >= sorted.Count ? 1 : Math.Max(0, sorted[allowed] - 1e-4);
        return Math.Round(Math.Clamp(threshold, 0, 1), 4);
    }

    private static RouterWeights Fit(IReadOnlyList<TrainingRow> rows, int embeddingDimensions, double threshold, TrainingOptions options)
    {
        var features = rows[0].Features.Length;
        // The n-gram buckets keep mean 0 and scale 1: they stay sparse, and a rare term is not blown up by a tiny spread.
        var dense = features - options.NgramBuckets;
        var mean = new double[features];
        var scale = Enumerable.Repeat(1.0, features).ToArray();
        foreach (var r in rows) for (var f = 0; f < dense; f++) mean[f] += r.Features[f] / rows.Count;
        var variance = new double[dense];
        foreach (var r in rows) for (var f = 0; f < dense; f++) variance[f] += Math.Pow(r.Features[f] - mean[f], 2) / rows.Count;
        for (var f = 0; f < dense; f++) scale[f] = Math.Sqrt(variance[f]) is var sd && sd > 1e-6 ? sd : 1;
        var z = rows.Select(r => r.Features.Select((v, f) => (v - mean[f]) / scale[f]).ToArray()).ToList();
        var y = rows.Select(r => RouterClasses.All.ToList().IndexOf(r.Label)).ToList();
        var fit = options.Fit with { SignalFeatures = dense - embeddingDimensions, NgramFeatures = options.NgramBuckets };
        var (weights, bias) = LogisticRegression.Fit(z, y, RouterClasses.All.Count, fit);
        return new RouterWeights
        {
            Classes = RouterClasses.All,
            EmbeddingDimensions = embeddingDimensions,
            NgramBuckets = options.NgramBuckets,
            Signals = RouterSignals.Names,
            Mean = mean,
            Scale = scale,
            Weights = weights.Select(r => r.Select(v => Math.Round(v, 6)).ToArray()).ToArray(),
            Bias = bias.Select(v => Math.Round(v, 6)).ToArray(),
            DefaultThreshold = threshold,
        };
    }

    // A stable, seeded order of templates for the folds (string.GetHashCode is seeded per process).
    private static ulong Mix(string text, int seed)
    {
        var h = 1469598103934665603UL ^ (ulong)seed;
        foreach (var c in text) h = (h ^ c) * 1099511628211UL;
        return h;
    }
}

/// <summary>Training settings: folds for the threshold, the largest share of under-served questions allowed in cross-validation, the fit, the seed of the fold order.</summary>
internal sealed record TrainingOptions(int Folds = 5, double MaxUnderServed = 0.03, int Seed = 17)
{
    /// <summary>Hashed n-gram buckets at the end of each row (<see cref="QuestionNgrams"/>); 0 for none.</summary>
    public int NgramBuckets { get; init; }

    /// <summary>Fitting settings.</summary>
    public FitOptions Fit { get; init; } = new() { SignalL2 = 0.01 };

    /// <summary>The settings the shipped weights are trained with, chosen by <c>train-router --sweep</c> on the train split.</summary>
    public static TrainingOptions Shipped { get; } = new() { NgramBuckets = 4096, Fit = new FitOptions { SignalL2 = 0.01, NgramL2 = 0.0003 } };
}

/// <summary>Out-of-fold figures at the chosen threshold: shares of need-more questions scored under it, and of small questions over it.</summary>
internal sealed record CrossValidation(int Folds, double Threshold, double UnderServed, double OverServed)
{
    /// <summary>Each row's score (1 − P(small)) from the fold that did not train on its template, in row order.</summary>
    public IReadOnlyList<double> OutOfFold { get; init; } = [];
}
