using System.Text.Json;
using System.Text.RegularExpressions;

namespace Conversations.Routing.Tests.Learned;

/// <summary>
/// Checks the labeled routing set (tests/Conversations.Benchmarks/Routing/LabeledSet/questions.jsonl) that the learned
/// router is trained and measured on: a malformed line, a template leaking across the split or a lopsided language
/// mix would make the reported figures meaningless, so the build fails instead.
/// </summary>
public sealed partial class LabeledSetTests
{
    private const string RelativePath = "tests/Conversations.Benchmarks/Routing/LabeledSet/questions.jsonl";
    private const string ProbePath = "tests/Conversations.Benchmarks/Routing/LabeledSet/probe.jsonl";

    private static readonly string[] Languages = ["en", "zh"];
    private static readonly string[] Domains = ["hr", "it", "finance", "legal", "engineering", "sales", "smalltalk", "general"];
    private static readonly string[] Tiers = ["small", "large", "math", "code"];
    private static readonly string[] Splits = ["train", "test"];
    private static readonly string[] RequiredFields = ["id", "text", "lang", "domain", "tier", "template", "split", "reason"];
    private const string StyleField = "style";

    private static readonly Lazy<IReadOnlyList<Entry>> Set = new(() => Load(RelativePath));

    [Fact]
    public void LabeledSet_every_line_parses_with_exactly_the_known_fields_and_values()
    {
        // Proves each line is one JSON object whose fields and values are the documented ones, with ids that name their language and domain.
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in Set.Value)
        {
            Assert.True(Languages.Contains(e.Lang), $"line {e.Line}: lang '{e.Lang}'");
            Assert.True(Domains.Contains(e.Domain), $"line {e.Line}: domain '{e.Domain}'");
            Assert.True(Tiers.Contains(e.Tier), $"line {e.Line}: tier '{e.Tier}'");
            Assert.True(Splits.Contains(e.Split), $"line {e.Line}: split '{e.Split}'");
            Assert.Matches(IdShape(), e.Id);
            Assert.StartsWith($"{e.Lang}-{e.Domain}-", e.Id, StringComparison.Ordinal);
            Assert.True(ids.Add(e.Id), $"line {e.Line}: id {e.Id} repeated");
            Assert.Matches(TemplateShape(), e.Template);
            Assert.False(string.IsNullOrWhiteSpace(e.Text), $"line {e.Line}: empty text");
            Assert.False(string.IsNullOrWhiteSpace(e.Reason), $"line {e.Line}: empty reason");
            if (e.Style is not null)
            {
                Assert.Equal("unusual", e.Style);
                Assert.True(e.Split == "test", $"line {e.Line}: the unusual slice belongs to the test split");
            }
        }
    }

    [Fact]
    public void LabeledSet_is_large_enough_and_both_languages_hold_at_least_forty_percent()
    {
        // Proves the set has at least 400 questions and neither English nor Chinese is a small minority.
        var set = Set.Value;
        Assert.True(set.Count >= 400, $"{set.Count} questions");
        foreach (var lang in Languages)
        {
            var share = set.Count(e => e.Lang == lang) / (double)set.Count;
            Assert.True(share >= 0.40, $"{lang}: {share:P1}");
        }
        foreach (var tier in Tiers)
            Assert.True(set.Count(e => e.Tier == tier && e.Split == "test") > 0, $"no {tier} question in the test split");
    }

    [Fact]
    public void LabeledSet_splits_by_template_with_a_test_share_between_twenty_and_thirty_percent()
    {
        // Proves no template has questions on both sides of the split, each template holds 1 to 6 questions, and the test split is 20-30 % of the set.
        var set = Set.Value;
        foreach (var template in set.GroupBy(e => e.Template))
        {
            var splits = template.Select(e => e.Split).Distinct().ToList();
            Assert.True(splits.Count == 1, $"{template.Key} is in both splits");
            Assert.InRange(template.Count(), 1, 6);
        }
        var testShare = set.Count(e => e.Split == "test") / (double)set.Count;
        Assert.InRange(testShare, 0.20, 0.30);
    }

    [Fact]
    public void LabeledSet_has_no_question_twice()
    {
        // Proves no two lines carry the same text (ignoring case and runs of white space), so no test question is also a training question.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in Set.Value)
        {
            var key = WhiteSpace().Replace(e.Text.Trim(), " ").ToLowerInvariant();
            Assert.True(seen.TryAdd(key, e.Line), $"line {e.Line} repeats line {seen.GetValueOrDefault(key)}: {e.Text}");
        }
    }

    [Fact]
    public void Probe_set_is_apart_from_the_labeled_set_in_both_languages()
    {
        // Proves the out-of-distribution probe parses with the set's fields and values, is its own split, repeats no
        // question of the set, and has need-more and small questions in English and Chinese.
        var probe = Load(ProbePath);
        var set = Set.Value.Select(e => WhiteSpace().Replace(e.Text.Trim(), " ").ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        Assert.True(probe.Count >= 30, $"{probe.Count} probe questions");
        Assert.Equal(probe.Count, probe.Select(e => e.Id).Distinct().Count());
        foreach (var e in probe)
        {
            Assert.Equal("probe", e.Split);
            Assert.True(Languages.Contains(e.Lang) && Domains.Contains(e.Domain) && Tiers.Contains(e.Tier), $"probe line {e.Line}");
            Assert.StartsWith($"{e.Lang}-{e.Domain}-p", e.Id, StringComparison.Ordinal);
            Assert.DoesNotContain(WhiteSpace().Replace(e.Text.Trim(), " ").ToLowerInvariant(), set);
        }
        foreach (var lang in Languages)
        {
            Assert.Contains(probe, e => e.Lang == lang && e.Tier == "small");
            Assert.Contains(probe, e => e.Lang == lang && e.Tier != "small");
        }
    }

    private static IReadOnlyList<Entry> Load(string relativePath)
    {
        var path = Path.Combine(RepositoryRoot(), relativePath);
        var entries = new List<Entry>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            var names = root.EnumerateObject().Select(p => p.Name).ToList();
            foreach (var name in names)
                Assert.True(RequiredFields.Contains(name) || name == StyleField, $"line {lineNumber}: unknown field '{name}'");
            string Field(string name)
            {
                Assert.True(root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String, $"line {lineNumber}: field '{name}' missing or not a string");
                return value.GetString()!;
            }
            entries.Add(new Entry(lineNumber, Field("id"), Field("text"), Field("lang"), Field("domain"), Field("tier"),
                Field("template"), Field("split"), Field("reason"), names.Contains(StyleField) ? Field(StyleField) : null));
        }
        return entries;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conversations.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Conversations.sln not found above the test folder.");
    }

    private sealed record Entry(int Line, string Id, string Text, string Lang, string Domain, string Tier, string Template, string Split, string Reason, string? Style);

    [GeneratedRegex(@"^(en|zh)-[a-z]+-\d{3}$")]
    private static partial Regex IdShape();

    [GeneratedRegex(@"^t-\d{3}$")]
    private static partial Regex TemplateShape();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
