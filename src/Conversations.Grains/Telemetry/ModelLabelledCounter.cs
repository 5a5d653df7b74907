using System.Diagnostics.Metrics;

namespace Conversations.Grains.Telemetry;

/// <summary>
/// A counter whose <c>model</c> tag passes through <see cref="MetricModelLabel"/> at every call, so no call site can
/// publish a tenant's model name by mistake.
/// </summary>
internal sealed class ModelLabelledCounter<T>(Counter<T> inner) where T : struct
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
    public void Add(T delta, params ReadOnlySpan<KeyValuePair<string, object?>> tags) => inner.Add(delta, MetricModelLabel.Relabel(tags));
}
