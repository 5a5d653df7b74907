namespace Conversations.TestModel.Control;

/// <summary>GET /control/models: the default behaviour and every model name's own.</summary>
public sealed record ControlState(ModelBehavior Default, IReadOnlyDictionary<string, ModelBehavior> Models);

/// <summary>GET /control/counters: totals, per-model counters and embedding calls.</summary>
public sealed record CountersReport(
    CountersSnapshot Total,
    IReadOnlyDictionary<string, CountersSnapshot> Models,
    long EmbeddingRequests);
