using System.Diagnostics.Metrics;

namespace Conversations.Grains.Telemetry;

/// <summary>A histogram whose <c>model</c> tag passes through <see cref="MetricModelLabel"/> at every call.</summary>
internal sealed class ModelLabelledHistogram<T>(Histogram<T> inner) where T : struct
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
        inner.Record(value, MetricModelLabel.Relabel(tags));
}
