using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Conversations.Grains.Telemetry;

/// <summary>
/// A counter whose <c>model</c> tag passes through <see cref="MetricModelLabel"/> at every call, so no call site can
/// publish a tenant's model name by mistake.
/// </summary>
public sealed class ModelLabelledCounter<T>(Counter<T> inner) where T : struct
{
    /// <summary>Adds <paramref name="delta"/> with no tags.</summary>
    public void Add(T delta) => inner.Add(delta);

    /// <summary>Adds <paramref name="delta"/> with one tag.</summary>
    public void Add(T delta, KeyValuePair<string, object?> tag) => inner.Add(delta, MetricModelLabel.Relabel(tag));

    /// <summary>Adds <paramref name="delta"/> with two tags.</summary>
    public void Add(T delta, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2) =>
        inner.Add(delta, MetricModelLabel.Relabel(tag1), MetricModelLabel.Relabel(tag2));

    /// <summary>Adds <paramref name="delta"/> with three tags.</summary>
    public void Add(T delta, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2, KeyValuePair<string, object?> tag3) =>
        inner.Add(delta, MetricModelLabel.Relabel(tag1), MetricModelLabel.Relabel(tag2), MetricModelLabel.Relabel(tag3));

    /// <summary>Adds <paramref name="delta"/> with any number of tags.</summary>
    public void Add(T delta, params ReadOnlySpan<KeyValuePair<string, object?>> tags) => inner.Add(delta, Relabelled(tags));

    internal static TagList Relabelled(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var list = new TagList();
        foreach (var tag in tags) list.Add(MetricModelLabel.Relabel(tag));
        return list;
    }
}

/// <summary>A histogram whose <c>model</c> tag passes through <see cref="MetricModelLabel"/> at every call.</summary>
public sealed class ModelLabelledHistogram<T>(Histogram<T> inner) where T : struct
{
    /// <summary>Records <paramref name="value"/> with no tags.</summary>
    public void Record(T value) => inner.Record(value);

    /// <summary>Records <paramref name="value"/> with one tag.</summary>
    public void Record(T value, KeyValuePair<string, object?> tag) => inner.Record(value, MetricModelLabel.Relabel(tag));

    /// <summary>Records <paramref name="value"/> with two tags.</summary>
    public void Record(T value, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2) =>
        inner.Record(value, MetricModelLabel.Relabel(tag1), MetricModelLabel.Relabel(tag2));

    /// <summary>Records <paramref name="value"/> with any number of tags.</summary>
    public void Record(T value, params ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        inner.Record(value, ModelLabelledCounter<T>.Relabelled(tags));
}
