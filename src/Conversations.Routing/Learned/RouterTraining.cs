namespace Conversations.Routing.Learned;

/// <summary>One labeled training question as features: the raw vector (embedding then signals), its class, and its template (questions of one template stay in one fold).</summary>
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
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        if (rows.Count == 0) throw new ArgumentException("No training rows.");
        var classes = RouterClasses.All;
        var unknown = rows.FirstOrDefault(r => !classes.Contains(r.Label));
        if (unknown is not null) throw new ArgumentException($"Unknown label '{unknown.Label}'.");

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

        var needMore = rows.Select((r, i) => (r, i)).Where(p => p.r.Label != RouterClasses.Small).Select(p => oof[p.i]).Order().ToList();
        var allowed = (int)Math.Floor(needMore.Count * options.MaxUnderServed);
        // The threshold sits just above the allowed-th lowest score of the questions that need more (those under it go small).
        var threshold = needMore.Count == 0 ? 0.5 : allowed >= needMore.Count ? 1 : Math.Max(0, needMore[allowed] - 1e-4);
        threshold = Math.Round(Math.Clamp(threshold, 0, 1), 4);
        var smallScores = rows.Select((r, i) => (r, i)).Where(p => p.r.Label == RouterClasses.Small).Select(p => oof[p.i]).ToList();
        var validation = new CrossValidation(options.Folds, threshold,
            needMore.Count == 0 ? 0 : needMore.Count(s => s < threshold) / (double)needMore.Count,
            smallScores.Count == 0 ? 0 : smallScores.Count(s => s >= threshold) / (double)smallScores.Count);

        var final = Fit(rows, embeddingDimensions, threshold, options) with
        {
            TrainedOn = $"{rows.Count} train-split questions, {templates.Count} templates; {options.Folds}-fold template-grouped CV threshold {threshold:0.0000}: " +
                $"under-served {validation.UnderServed:P1}, over-served {validation.OverServed:P1}; L2 {options.Fit.L2} (signals {options.Fit.SignalL2 ?? options.Fit.L2}), {options.Fit.Iterations} Adam steps, seed {options.Seed}",
        };
        return (final, validation);
    }

    private static RouterWeights Fit(IReadOnlyList<TrainingRow> rows, int embeddingDimensions, double threshold, TrainingOptions options)
    {
        var features = rows[0].Features.Length;
        var mean = new double[features];
        var scale = new double[features];
        foreach (var r in rows) for (var f = 0; f < features; f++) mean[f] += r.Features[f] / rows.Count;
        foreach (var r in rows) for (var f = 0; f < features; f++) scale[f] += Math.Pow(r.Features[f] - mean[f], 2) / rows.Count;
        for (var f = 0; f < features; f++) scale[f] = Math.Sqrt(scale[f]) is var sd && sd > 1e-6 ? sd : 1;
        var z = rows.Select(r => r.Features.Select((v, f) => (v - mean[f]) / scale[f]).ToArray()).ToList();
        var y = rows.Select(r => RouterClasses.All.ToList().IndexOf(r.Label)).ToList();
        var (weights, bias) = LogisticRegression.Fit(z, y, RouterClasses.All.Count, options.Fit with { SignalFeatures = features - embeddingDimensions });
        return new RouterWeights
        {
            Classes = RouterClasses.All,
            EmbeddingDimensions = embeddingDimensions,
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
    /// <summary>Fitting settings.</summary>
    public FitOptions Fit { get; init; } = new() { SignalL2 = 0.01 };
}

/// <summary>Out-of-fold figures at the chosen threshold: shares of need-more questions scored under it, and of small questions over it.</summary>
internal sealed record CrossValidation(int Folds, double Threshold, double UnderServed, double OverServed);
