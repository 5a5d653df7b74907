using Conversations.Routing.Complexity;
using Conversations.Routing.Learned;

namespace Conversations.Benchmarks.Routing.Learned;

/// <summary>
/// <c>train-router</c>: trains the learned router on the labeled set's train split only (MiniLM embeddings and
/// <see cref="RouterSignals"/>; fixed fold order, no randomness) and writes the weights the routing library embeds.
/// <c>--out PATH</c> writes elsewhere; <c>--smoke</c> trains briefly and writes nothing.
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
        var (vectors, ms) = await LabeledSet.EmbedAsync(smoke ? train.Take(40).ToList() : train);
        var rows = Rows(smoke ? train.Take(40).ToList() : train, vectors);
        if (args.Contains("--sweep"))
        {
            // Regularization and step counts compared by cross-validation on the train split alone (the test split is never read here).
            output.WriteLine("| L2 | signal L2 | steps | small class weight | CV threshold | CV under-served | CV over-served |");
            output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            var settings = new[] { 0.05, 0.1, 0.2, 0.5 }.SelectMany(l2 => new double?[] { null, 0.01, 0.001 }.Select(s => (l2, s, 300, 1.0)))
                .Concat([(0.2, 0.01, 150, 1.0), (0.2, 0.01, 600, 1.0), (0.2, 0.01, 300, 0.5), (0.2, 0.01, 300, 2.0)]);
            foreach (var (l2, signalL2, steps, small) in settings)
            {
                var fit = new FitOptions(l2, 0.05, steps) { SignalL2 = signalL2, ClassWeights = [small, 1, 1, 1] };
                var (_, v) = RouterTraining.Train(rows, vectors[0].Length, new TrainingOptions { Fit = fit });
                output.WriteLine($"| {l2} | {signalL2?.ToString() ?? "same"} | {steps} | {small} | {v.Threshold:0.000} | {v.UnderServed:P1} | {v.OverServed:P1} |");
            }
            return 0;
        }
        var options = smoke ? new TrainingOptions(Folds: 2) { Fit = new FitOptions(Iterations: 20) { SignalL2 = 0.01 } } : new TrainingOptions();
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

    /// <summary>Training rows of <paramref name="questions"/>: embedding then signals (no retrieval, a first question), label, template.</summary>
    public static List<TrainingRow> Rows(IReadOnlyList<LabeledSetQuestion> questions, IReadOnlyList<float[]> vectors) =>
        questions.Select((q, i) => new TrainingRow(LearnedRouter.Features(vectors[i], RouterSignals.Of(new ComplexityInput(q.Text))), q.Tier, q.Template)).ToList();
}
