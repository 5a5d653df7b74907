using Conversations.Routing.Complexity;
using Conversations.Routing.Learned;

namespace Conversations.Benchmarks.Routing.Learned;

/// <summary>
/// <c>train-router</c>: trains the learned router on the labeled set's train split only (MiniLM embeddings and
/// <see cref="RouterSignals"/>; fixed fold order, no randomness) and writes the weights the routing library embeds.
/// <c>--out PATH</c> writes elsewhere; <c>--smoke</c> trains briefly and writes nothing; <c>--sweep</c> compares settings
/// out of fold on the train split (<see cref="RouterSweep"/>), and with <c>--list-errors</c> lists the train
/// questions the shipped setting misroutes out of fold; <c>--only TEXT</c> runs only the settings whose name holds TEXT.
/// </summary>
public sealed class TrainRouterSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "train-router";

    /// <inheritdoc />
    public string Description => "train the learned router on the labeled set's train split and write its weights";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        if (Platform.PlatformLoadSuite.Arg(args, "--score") is { } text)
        {
            // Explains one decision of the shipped weights: score, class probabilities and drivers.
            var router = LearnedRouter.Shipped ?? throw new InvalidOperationException("no shipped weights");
            var (v, _) = await LabeledSet.EmbedAsync([new LabeledSetQuestion("q", text, "", "", "", "", "", "")]);
            output.WriteLine(router.Estimate(v[0], new ComplexityInput(text)).ToComplexity(router.Weights.DefaultThreshold).Reasons[0]);
            output.WriteLine($"score {router.Estimate(v[0], new ComplexityInput(text)).Score:0.000} vs default threshold {router.Weights.DefaultThreshold:0.000}");
            return 0;
        }
        var train = LabeledSet.Load().Where(q => q.Split == "train").ToList();
        if (smoke) train = train.Take(40).ToList();
        var (vectors, ms) = await LabeledSet.EmbedAsync(train);
        if (args.Contains("--sweep"))
        {
            RouterSweep.Write(train, vectors, output, smoke, args.Contains("--list-errors"), Platform.PlatformLoadSuite.Arg(args, "--only"));
            return 0;
        }
        var options = smoke ? TrainingOptions.Shipped with { Folds = 2, Fit = TrainingOptions.Shipped.Fit with { Iterations = 20 } } : TrainingOptions.Shipped;
        var rows = Rows(train, vectors, options.NgramBuckets);
        var clock = Stopwatch.StartNew();
        var (weights, cv) = RouterTraining.Train(rows, vectors[0].Length, options);
        output.WriteLine($"trained on {rows.Count} train-split questions in {clock.Elapsed.TotalSeconds:0.0} s (embedding {ms:0.0} ms a question)");
        output.WriteLine($"{cv.Folds}-fold template-grouped cross-validation: threshold {cv.Threshold:0.0000}, under-served {cv.UnderServed:P1}, over-served {cv.OverServed:P1}");
        if (smoke) return 0;
        var path = Platform.PlatformLoadSuite.Arg(args, "--out") ?? Path.Combine(LabeledSet.RepositoryRoot(), LabeledSet.WeightsPath);
        await File.WriteAllTextAsync(path, weights.ToJson());
        output.WriteLine($"weights written to {path}");
        return 0;
    }

    /// <summary>Training rows of <paramref name="questions"/>: embedding, signals (no retrieval, a first question) and <paramref name="buckets"/> n-gram buckets; label, template.</summary>
    public static List<TrainingRow> Rows(IReadOnlyList<LabeledSetQuestion> questions, IReadOnlyList<float[]> vectors, int buckets) =>
        questions.Select((q, i) => new TrainingRow(LearnedRouter.Features(vectors[i], RouterSignals.Of(new ComplexityInput(q.Text)),
            buckets > 0 ? QuestionNgrams.Of(q.Text, buckets) : null), q.Tier, q.Template)).ToList();
}
