namespace Conversations.TestModel.Recording;

/// <summary>Counters for the whole server and per model name, plus embedding calls.</summary>
public sealed class TestModelCounters
{
    private readonly ConcurrentDictionary<string, ModelCounters> perModel = new(StringComparer.Ordinal);
    private long embeddingRequests;

    /// <summary>Totals over every model.</summary>
    public ModelCounters Total { get; private set; } = new();

    /// <summary>Embedding requests received.</summary>
    public long EmbeddingRequests => Interlocked.Read(ref embeddingRequests);

    /// <summary>The counters of one model name (zero until it is called).</summary>
    public ModelCounters ForModel(string model) => perModel.GetOrAdd(model, static _ => new ModelCounters());

    /// <summary>Model names called so far.</summary>
    public IReadOnlyCollection<string> Models => [.. perModel.Keys];

    internal void EmbeddingRequested() => Interlocked.Increment(ref embeddingRequests);

    internal IReadOnlyDictionary<string, CountersSnapshot> SnapshotPerModel() =>
        perModel.ToDictionary(pair => pair.Key, pair => pair.Value.Snapshot(), StringComparer.Ordinal);

    internal void Clear()
    {
        perModel.Clear();
        Total = new ModelCounters();
        Interlocked.Exchange(ref embeddingRequests, 0);
    }
}
