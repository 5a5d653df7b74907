using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conversations.Routing.Learned;

/// <summary>
/// A trained router as data: the classes, the feature layout (embedding length, the named signals, then the hashed
/// wording buckets of <see cref="QuestionNgrams"/>), the
/// standardization learned on the training split, one weight row and bias per class, and the threshold chosen by
/// cross-validation on the training split. Written by the training command, shipped as an embedded resource.
/// </summary>
public sealed record RouterWeights
{
    /// <summary>Class names in weight-row order; "small" is the cheap class, the others need more than the small model.</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>Length of the question embedding the weights expect (384 for all-MiniLM-L6-v2).</summary>
    public required int EmbeddingDimensions { get; init; }

    /// <summary>Signal names after the embedding; must equal <see cref="RouterSignals.Names"/>.</summary>
    public required IReadOnlyList<string> Signals { get; init; }

    /// <summary>Buckets of hashed n-grams after the signals (<see cref="QuestionNgrams"/>); 0 for weights without them.</summary>
    public int NgramBuckets { get; init; }

    /// <summary>Per-feature mean subtracted before scoring.</summary>
    public required double[] Mean { get; init; }

    /// <summary>Per-feature divisor applied after the mean.</summary>
    public required double[] Scale { get; init; }

    /// <summary>One row per class, one weight per feature.</summary>
    public required double[][] Weights { get; init; }

    /// <summary>One bias per class.</summary>
    public required double[] Bias { get; init; }

    /// <summary>Score (1 − P(small)) at or above which a question leaves the small model, unless the tenant sets its own.</summary>
    public required double DefaultThreshold { get; init; }

    /// <summary>How the weights were made (data, split, seed, cross-validated figures), for people reading the file.</summary>
    public string? TrainedOn { get; init; }

    /// <summary>Total feature count.</summary>
    [JsonIgnore]
    public int Features => EmbeddingDimensions + Signals.Count + NgramBuckets;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Reads weights from JSON and checks their shape; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    public static RouterWeights Parse(string json)
    {
        var w = JsonSerializer.Deserialize<RouterWeights>(json, Json) ?? throw new InvalidDataException("Router weights are empty.");
        w.Check();
        return w;
    }

    /// <summary>The weights as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Throws <see cref="InvalidDataException"/> when the arrays do not agree with each other or with this build's signals.</summary>
    public void Check()
    {
        if (Classes.Count < 2 || !Classes.Contains(RouterClasses.Small)) throw new InvalidDataException("Router weights need a 'small' class and at least one other.");
        if (!Signals.SequenceEqual(RouterSignals.Names)) throw new InvalidDataException("Router weights were trained on other signals than this build computes.");
        if (NgramBuckets < 0) throw new InvalidDataException("Router weights: n-gram buckets cannot be negative.");
        if (Mean.Length != Features || Scale.Length != Features) throw new InvalidDataException("Router weights: standardization length differs from the feature count.");
        if (Weights.Length != Classes.Count || Bias.Length != Classes.Count || Weights.Any(r => r.Length != Features))
            throw new InvalidDataException("Router weights: weight rows do not match classes and features.");
        if (double.IsNaN(DefaultThreshold) || DefaultThreshold is < 0 or > 1) throw new InvalidDataException("Router weights: default threshold must be between 0 and 1.");
    }
}

/// <summary>The class names the labeled set and the weights use.</summary>
internal static class RouterClasses
{
    /// <summary>The small model answers it well.</summary>
    public const string Small = "small";
    /// <summary>It needs the large model.</summary>
    public const string Large = "large";
    /// <summary>A calculation: the math domain model, else the large model.</summary>
    public const string Math = "math";
    /// <summary>Programming: the code domain model, else the large model.</summary>
    public const string Code = "code";

    /// <summary>All four, in the order the training command writes them.</summary>
    public static readonly IReadOnlyList<string> All = [Small, Large, Math, Code];
}
