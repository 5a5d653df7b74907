using Conversations.Benchmarks.Routing.Workloads;
using Conversations.Routing.Learned;

namespace Conversations.Benchmarks.Routing.Learned;

/// <summary>
/// <c>train-router --sweep</c>: candidate settings compared by template-grouped cross-validation on the train split
/// alone (the test split and the probe are never read here). Each setting is cross-validated with eight fold orders
/// and the figures are their means, so a difference of one or two questions in one split does not pick the setting.
/// The threshold of each run is the one that keeps out-of-fold under-served at the allowed share; over-served and the
/// cost at the checked mix are read at it.
/// </summary>
internal static class RouterSweep
{
    /// <summary>Seeds of the fold orders averaged over.</summary>
    public static readonly IReadOnlyList<int> Seeds = [17, 18, 19, 20, 21, 22, 23, 24];

    private static readonly LabeledSetEvaluator Evaluator = new(new ModelCatalog([WorkloadModels.Small, WorkloadModels.Large]), WorkloadModels.Policy());

    /// <summary>One candidate: a name, the n-gram buckets and the fit.</summary>
    public sealed record Setting(string Name, int Buckets, FitOptions Fit);

    /// <summary>
    /// The settings compared: without n-grams (the router before them), n-gram sizes and strengths, then the
    /// embedding's L2 and class weights beside the shipped setting.
    /// </summary>
    public static IReadOnlyList<Setting> Settings()
    {
        var shipped = TrainingOptions.Shipped;
        var before = new FitOptions { SignalL2 = 0.01 };
        var list = new List<Setting> { new("embedding + signals (before)", 0, before) };
        foreach (var (buckets, l2) in new[] { (1024, 0.001), (4096, 0.00003), (4096, 0.0001), (4096, 0.001), (4096, 0.003), (16384, 0.0001), (16384, 0.0003), (16384, 0.001) })
            list.Add(new($"+ {buckets} n-gram buckets, L2 {l2}", buckets, before with { NgramL2 = l2 }));
        list.Add(new("shipped, embedding L2 0.5", shipped.NgramBuckets, shipped.Fit with { L2 = 0.5 }));
        foreach (var small in new[] { 0.5, 2.0 })
            list.Add(new($"shipped, small class x{small}", shipped.NgramBuckets, shipped.Fit with { ClassWeights = [small, 1, 1, 1] }));
        var wide = before with { NgramL2 = 0.0003 };
        list.Add(new("16384 n-gram buckets L2 0.0003, embedding L2 0.5", 16384, wide with { L2 = 0.5 }));
        list.Add(new("16384 n-gram buckets L2 0.0003, embedding L2 0.1", 16384, wide with { L2 = 0.1 }));
        list.Add(new("16384 n-gram buckets L2 0.0003, small class x0.5", 16384, wide with { ClassWeights = [0.5, 1, 1, 1] }));
        list.Add(new("shipped: + 4096 n-gram buckets, L2 0.0003", shipped.NgramBuckets, shipped.Fit));
        return list;
    }

    /// <summary>Writes the comparison table (the settings whose name holds <paramref name="only"/>, or all); with <paramref name="listErrors"/> also the train questions the last setting misroutes out of fold.</summary>
    public static void Write(IReadOnlyList<LabeledSetQuestion> train, IReadOnlyList<float[]> vectors, TextWriter output, bool smoke, bool listErrors, string? only = null)
    {
        output.WriteLine($"cross-validation on the train split only ({train.Count} questions), {Seeds.Count} fold orders, means; " +
            $"threshold at <= {TrainingOptions.Shipped.MaxUnderServed:P0} under-served out of fold");
        output.WriteLine("| setting | CV threshold | CV under-served | CV over-served | CV cost at the checked mix | seconds |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        var settings = smoke ? Settings().Take(2).ToList() : Settings().Where(s => only is null || s.Name.Contains(only, StringComparison.Ordinal)).ToList();
        foreach (var setting in settings)
        {
            var clock = Stopwatch.StartNew();
            var rows = TrainRouterSuite.Rows(train, vectors, setting.Buckets);
            var runs = (smoke ? Seeds.Take(1) : Seeds).Select(seed =>
            {
                var options = TrainingOptions.Shipped with { Folds = smoke ? 2 : 5, Seed = seed, NgramBuckets = setting.Buckets, Fit = smoke ? setting.Fit with { Iterations = 20 } : setting.Fit };
                var cv = RouterTraining.CrossValidate(rows, vectors[0].Length, options);
                return (cv.Threshold, Report: Evaluator.ByScore(train, cv.OutOfFold, cv.Threshold));
            }).ToList();
            output.WriteLine($"| {setting.Name} | {runs.Average(x => x.Threshold):0.000} | {runs.Average(x => x.Report.UnderServedOfNeedMore):P1} | " +
                $"{runs.Average(x => x.Report.OverServedOfSmall):P1} | {runs.Average(x => x.Report.CostRatioAtMix(LearnedRoutingFigures.CheckedMixNeedMore)):P1} | {clock.Elapsed.TotalSeconds:0.0} |");
            if (listErrors && setting == settings[^1]) ListErrors(runs[0].Report, output);
        }
        output.WriteLine();
    }

    // The train questions misrouted out of fold (first fold order): where to write more training questions, never the test split.
    private static void ListErrors(LabeledSetReport report, TextWriter output)
    {
        foreach (var o in report.Outcomes.Where(o => o.UnderServed || o.OverServed).OrderBy(o => o.UnderServed).ThenBy(o => o.Score))
        {
            var text = o.Question.Text.ReplaceLineEndings(" ");
            output.WriteLine($"{(o.UnderServed ? "under" : "over ")} {o.Question.Tier,-5} {o.Score:0.000} {o.Question.Template} {o.Question.Id} {text[..Math.Min(110, text.Length)]}");
        }
    }
}
