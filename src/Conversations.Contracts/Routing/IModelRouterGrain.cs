namespace Conversations.Contracts.Routing;

/// <summary>What the router needs to know about one turn.</summary>
[GenerateSerializer, Immutable, Alias("route-query")]
public sealed record RouteQuery(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Question,
    [property: Id(2)] double? RetrievalTopScore,
    [property: Id(3)] int ConversationDepth,
    [property: Id(4)] int RequiredContextTokens,
    [property: Id(5)] bool BudgetExhausted)
{
    /// <summary>A tier (<c>small</c>, <c>large</c>) or catalog model id the client asked for; null lets the policy choose.</summary>
    [Id(6)] public string? RequestedModel { get; init; }
    /// <summary>The question's all-MiniLM-L6-v2 embedding for the learned router; null leaves the choice to the keyword estimator.</summary>
    [Id(7)] public float[]? QuestionEmbedding { get; init; }

    /// <summary>The question carries images: only vision-capable models may answer.</summary>
    [Id(8)] public bool RequiresVision { get; init; }
}

/// <summary>
/// The router's decision: models to try in order (ending with "extractive"), why, the canary arm ("none",
/// "baseline", "candidate"), and a refusal message when the budget policy refuses. <see cref="HasPolicy"/> is
/// false when the tenant registered no policy (the platform model serves it). <see cref="ProbedModelId"/> names a
/// model whose half-open circuit let this turn through as its probe.
/// </summary>
[GenerateSerializer, Immutable, Alias("route-outcome")]
public sealed record RouteOutcome(
    [property: Id(0)] bool HasPolicy,
    [property: Id(1)] IReadOnlyList<string> Attempts,
    [property: Id(2)] string Reason,
    [property: Id(3)] string CanaryArm,
    [property: Id(4)] bool Downgraded,
    [property: Id(5)] string? RefusalMessage,
    [property: Id(6)] double ComplexityScore,
    [property: Id(7)] long ConfigVersion,
    [property: Id(8)] string? ProbedModelId)
{
    /// <summary>The model that replaces the small model's answer when that answer shows it is out of its depth; null for no escalation.</summary>
    [Id(9)] public string? EscalateTo { get; init; }
    /// <summary>Why the turn was refused ("budget_exhausted", "no_vision_model"); null when it was not.</summary>
    [Id(10)] public string? RefusalCode { get; init; }

    /// <summary>The tenant has no routing policy.</summary>
    public static readonly RouteOutcome NoPolicy = new(false, [], "no routing policy: platform model", "none", false, null, 0, 0, null);
}

/// <summary>
/// Picks models for a tenant's turns, key <c>{tenant}</c>. A stateless worker: every silo runs its own activations
/// over a cached policy and cached health snapshots, so it returns decisions without serializing a tenant's turns.
/// </summary>
[Alias("model-router")]
public interface IModelRouterGrain : IGrainWithStringKey
{
    /// <summary>Decides which models serve the turn, skipping open circuits and letting one half-open probe through.</summary>
    [Alias("decide")]
    Task<RouteOutcome> DecideAsync(RouteQuery query);
}
