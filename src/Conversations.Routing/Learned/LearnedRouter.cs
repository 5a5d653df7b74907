using Conversations.Routing.Complexity;

namespace Conversations.Routing.Learned;

/// <summary>
/// The learned router: multinomial logistic regression over the question's MiniLM embedding,
/// <see cref="RouterSignals"/> and the hashed wording of <see cref="QuestionNgrams"/>. Its score is 1 − P(small); the
/// most likely other class names the domain (math, code) or the large model. Every estimate says which features
/// pushed it, so <c>done.route</c> can explain the choice.
/// </summary>
public sealed class LearnedRouter(RouterWeights weights)
{
    /// <summary>Name of the embedded resource that holds the shipped weights.</summary>
    public const string ResourceName = "Conversations.Routing.Learned.router-weights.json";

    /// <summary>Name under which all embedding dimensions are reported together (single dimensions mean nothing to a reader).</summary>
    public const string MeaningFeature = "meaning (embedding)";

    /// <summary>Name under which all n-gram buckets are reported together.</summary>
    public const string WordingFeature = "wording (n-grams)";

    /// <summary>Highest score reported, so a threshold of 1 always means "everything to the small model".</summary>
    public const double MaxScore = 0.9999;

    /// <summary>Drivers listed in an explanation.</summary>
    public const int DriversShown = 3;

    private static readonly Lazy<LearnedRouter?> ShippedRouter = new(LoadShipped);

    /// <summary>The router trained in the repository, or null when the build carries no usable weights (the keyword estimator then decides).</summary>
    public static LearnedRouter? Shipped => ShippedRouter.Value;

    /// <summary>The weights in use.</summary>
    public RouterWeights Weights { get; } = Check(weights);

    /// <summary>Scores a question; throws <see cref="ArgumentException"/> when the embedding has the wrong length.</summary>
    public LearnedEstimate Estimate(ReadOnlySpan<float> embedding, ComplexityInput input)
    {
        var w = Weights;
        if (embedding.Length != w.EmbeddingDimensions)
            throw new ArgumentException($"The router expects a {w.EmbeddingDimensions}-dimensional embedding, got {embedding.Length}.", nameof(embedding));
        var ngrams = w.NgramBuckets > 0 ? QuestionNgrams.Of(input.Question ?? string.Empty, w.NgramBuckets) : [];
        var z = Standardize(w, Features(embedding, RouterSignals.Of(input), ngrams));
        var probabilities = Probabilities(w, z);

        var small = IndexOf(w, RouterClasses.Small);
        var top = Enumerable.Range(0, w.Classes.Count).Where(c => c != small).MaxBy(c => probabilities[c]);
        // What moved the question from small towards its likeliest other class: (w_top − w_small) · z, the embedding
        // and the n-grams each summed as one.
        double Push(int f) => (w.Weights[top][f] - w.Weights[small][f]) * z[f];
        var signalsEnd = w.EmbeddingDimensions + w.Signals.Count;
        var drivers = new List<FeatureContribution> { new(MeaningFeature, Enumerable.Range(0, w.EmbeddingDimensions).Sum(Push)) };
        for (var s = 0; s < w.Signals.Count; s++) drivers.Add(new FeatureContribution(w.Signals[s], Push(w.EmbeddingDimensions + s)));
        if (w.NgramBuckets > 0) drivers.Add(new FeatureContribution(WordingFeature, Enumerable.Range(signalsEnd, w.NgramBuckets).Sum(Push)));

        return new LearnedEstimate(
            Math.Min(MaxScore, Math.Round(1 - probabilities[small], 4)),
            w.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => Math.Round(probabilities[p.i], 4)),
            w.Classes[top],
            drivers.OrderByDescending(d => Math.Abs(d.Contribution)).Take(DriversShown).ToList());
    }

    /// <summary>The feature vector before standardization: embedding, signals, then the n-gram buckets (none when omitted).</summary>
    public static double[] Features(ReadOnlySpan<float> embedding, double[] signals, double[]? ngrams = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ngrams ??= [];
        var x = new double[embedding.Length + signals.Length + ngrams.Length];
        for (var i = 0; i < embedding.Length; i++) x[i] = embedding[i];
        signals.CopyTo(x, embedding.Length);
        ngrams.CopyTo(x, embedding.Length + signals.Length);
        return x;
    }

    /// <summary>Softmax of the class scores of a standardized feature vector.</summary>
    internal static double[] Probabilities(RouterWeights w, double[] z)
    {
        var logits = new double[w.Classes.Count];
        for (var c = 0; c < logits.Length; c++)
        {
            var sum = w.Bias[c];
            var row = w.Weights[c];
            for (var f = 0; f < z.Length; f++) sum += row[f] * z[f];
            logits[c] = sum;
        }
        return LogisticRegression.Softmax(logits);
    }

    internal static double[] Standardize(RouterWeights w, double[] x)
    {
        var z = new double[x.Length];
        for (var f = 0; f < x.Length; f++) z[f] = (x[f] - w.Mean[f]) / w.Scale[f];
        return z;
    }

    private static int IndexOf(RouterWeights w, string name) => w.Classes.ToList().IndexOf(name);

    private static RouterWeights Check(RouterWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.Check();
        return weights;
    }

    private static LearnedRouter? LoadShipped()
    {
        try
        {
            using var stream = typeof(LearnedRouter).Assembly.GetManifestResourceStream(ResourceName);
            if (stream is null) return null;
            using var reader = new StreamReader(stream);
            return new LearnedRouter(RouterWeights.Parse(reader.ReadToEnd()));
        }
        catch (InvalidDataException)
        {
            return null; // Weights from another build's signals: the keyword estimator decides, visibly in the route reason.
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>One feature's push towards leaving the small model (positive) or staying (negative), in log-odds.</summary>
public sealed record FeatureContribution(string Feature, double Contribution);

/// <summary>
/// The learned router's view of a question: <see cref="Score"/> = 1 − P(small), the probability of each class, the
/// likeliest class other than small, and the features that drove the score most.
/// </summary>
public sealed record LearnedEstimate(double Score, IReadOnlyDictionary<string, double> Probabilities, string TopOtherClass, IReadOnlyList<FeatureContribution> Drivers)
{
    /// <summary>The estimate in the router's terms: score, a readable explanation, and the domain when the likeliest other class is one.</summary>
    public ComplexityEstimate ToComplexity(double threshold)
    {
        var probabilities = string.Join(", ", Probabilities.Select(p => $"{p.Key} {p.Value:0.00}"));
        var drivers = string.Join(", ", Drivers.Select(d => $"{d.Feature} {d.Contribution:+0.00;-0.00}"));
        // A domain counts once the question leaves the small model; below the threshold the small model answers it.
        var domains = Score >= threshold && TopOtherClass is RouterClasses.Math or RouterClasses.Code ? new[] { TopOtherClass } : [];
        return new ComplexityEstimate(Score, [$"learned router: P {probabilities}; towards {TopOtherClass}: {drivers}"], domains);
    }
}
