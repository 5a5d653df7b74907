namespace Conversations.Benchmarks.Routing.Workloads;

/// <summary>
/// The catalog the labeled workload is priced with: a small, a large and a math model, at prices per million tokens
/// (input / cached input / output) in the ratio of DashScope's qwen-turbo, qwen-max and qwen-math-plus.
/// </summary>
public static class WorkloadModels
{
    /// <summary>The small tier.</summary>
    public static ModelEntry Small { get; } = new("qwen-small", "http://127.0.0.1:1/v1", "qwen-turbo", ModelTier.Small, [], 0.05m, 0.02m, 0.20m, 128_000, 0.5m);

    /// <summary>The large tier.</summary>
    public static ModelEntry Large { get; } = new("qwen-large", "http://127.0.0.1:1/v1", "qwen-max", ModelTier.Large, [], 1.60m, 0.64m, 6.40m, 32_000, 0.5m);

    /// <summary>The math domain model.</summary>
    public static ModelEntry Math { get; } = new("qwen-math", "http://127.0.0.1:1/v1", "qwen-math-plus", ModelTier.Domain, ["math"], 0.50m, 0.20m, 1.50m, 4_000);

    /// <summary>The three models as a catalog.</summary>
    public static ModelCatalog Catalog() => new([Small, Large, Math]);

    /// <summary>The default policy: small and large, no domain rules.</summary>
    public static RoutingPolicy Policy() => new() { SmallModelId = Small.Id, LargeModelId = Large.Id };
}
