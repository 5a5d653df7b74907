namespace Conversations.Routing.Tests;

/// <summary>A small catalog shared by the tests: a small, a large, a candidate large and a math model.</summary>
internal static class TestModels
{
    public static ModelEntry Small => new("qwen-small", "http://127.0.0.1:5005/v1", "qwen-turbo", ModelTier.Small, [], 0.05m, 0.02m, 0.20m, 128_000, 0.5m);

    public static ModelEntry Large => new("qwen-large", "http://127.0.0.1:5005/v1", "qwen-max", ModelTier.Large, [], 1.60m, 0.64m, 6.40m, 32_000, 0.5m);

    public static ModelEntry LargeNext => new("qwen-large-next", "http://127.0.0.1:5005/v1", "qwen-max-next", ModelTier.Large, [], 1.60m, 0.64m, 6.40m, 32_000, 0.5m);

    public static ModelEntry Math => new("qwen-math", "http://127.0.0.1:5005/v1", "qwen-math-plus", ModelTier.Domain, ["math"], 0.50m, 0.20m, 1.50m, 4_000);

    public static ModelCatalog Catalog() => new([Small, Large, LargeNext, Math]);

    public static RoutingPolicy Policy() => new() { SmallModelId = Small.Id, LargeModelId = Large.Id };
}
