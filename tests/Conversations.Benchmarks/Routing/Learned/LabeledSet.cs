using System.Text.Json;
using System.Text.Json.Serialization;
using Conversations.Models.Embeddings;

namespace Conversations.Benchmarks.Routing.Learned;

/// <summary>One question of the labeled routing set (<c>Routing/LabeledSet/questions.jsonl</c>), as the rubric labels it.</summary>
public sealed record LabeledSetQuestion(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("lang")] string Lang,
    [property: JsonPropertyName("domain")] string Domain,
    [property: JsonPropertyName("tier")] string Tier,
    [property: JsonPropertyName("template")] string Template,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("style")] string? Style = null)
{
    /// <summary>Whether it is phrased unlike the training questions (test split only).</summary>
    public bool Unusual => Style == "unusual";

    /// <summary>
    /// Whether it is one of the test questions written after the train split grew from 375 to 699 questions (templates
    /// t-361 on); the first test questions (t-153 to t-198) were written with the first train split.
    /// </summary>
    public bool LaterTest => Split == "test" && int.TryParse(Template.AsSpan(2), out var n) && n >= LaterTestTemplates;

    /// <summary>The first template number of the later test questions.</summary>
    public const int LaterTestTemplates = 361;
}

/// <summary>Loads the labeled set from the repository and embeds its questions with the local MiniLM model.</summary>
public static class LabeledSet
{
    /// <summary>The file, relative to the repository root.</summary>
    public const string RelativePath = "tests/Conversations.Benchmarks/Routing/LabeledSet/questions.jsonl";

    /// <summary>
    /// The out-of-distribution probe: questions written apart from the set, in phrasings it does not use. It is
    /// reported on its own and never trained on.
    /// </summary>
    public const string ProbePath = "tests/Conversations.Benchmarks/Routing/LabeledSet/probe.jsonl";

    /// <summary>The weights file the training command writes, relative to the repository root.</summary>
    public const string WeightsPath = "src/Conversations.Routing/Learned/router-weights.json";

    /// <summary>All questions, in file order.</summary>
    public static IReadOnlyList<LabeledSetQuestion> Load(string relativePath = RelativePath) =>
        File.ReadLines(Path.Combine(RepositoryRoot(), relativePath)).Where(l => l.Trim().Length > 0)
            .Select(l => JsonSerializer.Deserialize<LabeledSetQuestion>(l) ?? throw new InvalidDataException($"empty line in {relativePath}"))
            .ToList();

    /// <summary>The repository root: the nearest folder above the running assembly that holds the labeled set.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, RelativePath))) return dir.FullName;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, RelativePath))) return dir.FullName;
        throw new FileNotFoundException($"{RelativePath} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>MiniLM embeddings of the questions' texts, in order, and the mean time per question (one at a time, as a turn embeds it).</summary>
    public static async Task<(IReadOnlyList<float[]> Vectors, double MsPerQuestion)> EmbedAsync(IReadOnlyList<LabeledSetQuestion> questions)
    {
        using var generator = new MiniLmEmbeddingGenerator();
        var model = new EmbeddingModel(generator, MiniLmEmbeddingGenerator.ModelId, MiniLmEmbeddingGenerator.ModelDimensions, 1);
        await model.EmbedAsync(["warm-up"]);
        var vectors = new List<float[]>(questions.Count);
        var clock = Stopwatch.StartNew();
        foreach (var q in questions) vectors.Add((await model.EmbedAsync([q.Text]))[0]);
        return (vectors, questions.Count == 0 ? 0 : clock.Elapsed.TotalMilliseconds / questions.Count);
    }
}
