namespace Conversations.Routing.IntegrationTests.Infrastructure;

/// <summary>Routing policies that several test classes put, as the admin API takes them.</summary>
internal static class RoutingPolicies
{
    /// <summary>Threshold 0 sends every question to the large model first, falling back to the small one; caches off so every turn calls a model.</summary>
    public static object LargeFirst => new
    {
        smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0,
        fallbackModelIds = new[] { "small" }, exactCache = false, semanticCache = false,
    };
}
