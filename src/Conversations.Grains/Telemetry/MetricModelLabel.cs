using System.Collections.Concurrent;
using System.Diagnostics;

namespace Conversations.Grains.Telemetry;

/// <summary>
/// The value a metric's <c>model</c> tag may carry: a model the operator configured (<c>Models:Chat:ModelId</c>), one of
/// the platform's own answer sources (extractive responder, caches, canned replies, refusals), or
/// <see cref="TenantModel"/> for everything else. Tenants name their own catalog models; those names stay out of
/// metrics, so a scrape reveals no tenant's choices and the number of series does not grow with tenants.
/// </summary>
public static class MetricModelLabel
{
    /// <summary>The one label every tenant-registered model shares.</summary>
    public const string TenantModel = "tenant-model";

    /// <summary>The label of a turn that reached no model.</summary>
    public const string None = "none";

    // What the turn records as its model when no catalog model wrote the answer.
    private static readonly string[] PlatformSources =
        ["extractive", "moderation", "router", "hard-coded", "exact-cache", "semantic-cache", "ready"];

    private static readonly ConcurrentDictionary<string, bool> Operator = new(
        PlatformSources.Select(s => KeyValuePair.Create(s, true)), StringComparer.Ordinal);

    /// <summary>Admits an operator-configured model id as a label value (called at host start-up from configuration).</summary>
    public static void AddOperatorModel(string? modelId)
    {
        if (!string.IsNullOrWhiteSpace(modelId)) Operator.TryAdd(modelId.Trim(), true);
    }

    /// <summary>The label for <paramref name="model"/>: itself when the operator configured it or the platform produced the answer, else <see cref="TenantModel"/>.</summary>
    public static string For(string? model) =>
        model is null ? None : Operator.ContainsKey(model) ? model : TenantModel;

    /// <summary>The tag with its <c>model</c> value relabelled; other tags unchanged.</summary>
    public static KeyValuePair<string, object?> Relabel(KeyValuePair<string, object?> tag) =>
        tag.Key == "model" ? new(tag.Key, tag.Value is string or null ? For(tag.Value as string) : TenantModel) : tag;

    /// <summary>The tags with their <c>model</c> value relabelled.</summary>
    public static TagList Relabel(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var list = new TagList();
        foreach (var tag in tags) list.Add(Relabel(tag));
        return list;
    }
}
