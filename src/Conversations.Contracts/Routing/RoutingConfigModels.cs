using System.Text.Json.Serialization;

namespace Conversations.Contracts.Routing;

/// <summary>
/// A model a tenant registered: an OpenAI-compatible endpoint, its tier, domains and prices (USD per million tokens).
/// <see cref="SendPromptCacheKey"/> sends OpenAI's <c>prompt_cache_key</c> to this endpoint (null: the deployment's setting).
/// <see cref="Vision"/> says the model reads images (OpenAI's <c>image_url</c> content parts): only such models get messages with images.
/// </summary>
[GenerateSerializer, Immutable, Alias("routing-model")]
public sealed record ModelRegistration(
    [property: Id(0)] string Id,
    [property: Id(1)] string Endpoint,
    [property: Id(2)] string? ApiKey,
    [property: Id(3)] string ModelName,
    [property: Id(4)] string Tier,
    [property: Id(5)] IReadOnlyList<string> Domains,
    [property: Id(6)] decimal InputPerMillion,
    [property: Id(7)] decimal CachedInputPerMillion,
    [property: Id(8)] decimal OutputPerMillion,
    [property: Id(9)] int ContextWindowTokens,
    [property: Id(10)] decimal BatchDiscount,
    [property: Id(11)] bool? SendPromptCacheKey = null,
    [property: Id(12)] bool Vision = false);

/// <summary>
/// The fields a model edit left out, which keep their stored values: an admin changing a price need not repeat what it
/// cannot read back (the key) or did not touch.
/// </summary>
[Flags]
[GenerateSerializer, Alias("routing-model-kept")]
public enum ModelFieldsKept
{
    /// <summary>Every field as sent.</summary>
    None = 0,
    /// <summary>The stored API key, as long as the endpoint is unchanged.</summary>
    ApiKey = 1,
    /// <summary>The stored <see cref="ModelRegistration.Vision"/>.</summary>
    Vision = 2,
    /// <summary>The stored <see cref="ModelRegistration.SendPromptCacheKey"/>.</summary>
    SendPromptCacheKey = 4,
}

/// <summary>Questions about <see cref="Domain"/> go to <see cref="ModelId"/>.</summary>
[GenerateSerializer, Immutable, Alias("routing-domain-rule")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DomainRuleSettings([property: Id(0)] string Domain, [property: Id(1)] string ModelId);

/// <summary>A canary release: <see cref="Share"/> of the baseline's conversations go to the candidate, judged by the thresholds.</summary>
[GenerateSerializer, Immutable, Alias("routing-canary")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CanarySettings
{
    /// <summary>The new model.</summary>
    [Id(0)] public string CandidateModelId { get; init; } = "";
    /// <summary>The model it is compared with (and replaces on promotion).</summary>
    [Id(1)] public string BaselineModelId { get; init; } = "";
    /// <summary>Share of eligible conversations sent to the candidate (0..1).</summary>
    [Id(2)] public double Share { get; init; }
    /// <summary>Turns each arm needs before a verdict.</summary>
    [Id(3)] public int MinTurnsPerArm { get; init; } = 200;
    /// <summary>Largest tolerated rise of the error rate (absolute).</summary>
    [Id(4)] public double MaxErrorRateIncrease { get; init; } = 0.02;
    /// <summary>Largest tolerated ratio of the candidate's time-to-first-token p95 to the baseline's.</summary>
    [Id(5)] public double MaxTtftP95Ratio { get; init; } = 1.5;
    /// <summary>Votes each arm needs before feedback is compared.</summary>
    [Id(6)] public int MinFeedbackPerArm { get; init; } = 30;
    /// <summary>Largest tolerated rise of the thumbs-down share (absolute).</summary>
    [Id(7)] public double MaxNegativeFeedbackIncrease { get; init; } = 0.10;
    /// <summary>Candidate turns after which a candidate without regression is ready to promote.</summary>
    [Id(8)] public int PromoteAfterTurns { get; init; } = 1000;
    /// <summary>The evaluation set run against both arms when the canary starts and again before promotion; null for none.</summary>
    [Id(9)] public string? EvaluationSetId { get; init; }
    /// <summary>Largest tolerated drop of the candidate below the baseline on a gated evaluation metric (absolute, 0..1).</summary>
    [Id(10)] public double EvaluationMargin { get; init; } = 0.05;
}

/// <summary>A tenant's routing policy as the admin sets it.</summary>
[GenerateSerializer, Immutable, Alias("routing-policy")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RoutingPolicySettings
{
    /// <summary>The default model for simple questions.</summary>
    [Id(0)] public string SmallModelId { get; init; } = "";
    /// <summary>The model for complex questions.</summary>
    [Id(1)] public string LargeModelId { get; init; } = "";
    /// <summary>Complexity score (0..1) at or above which a question goes to the large model.</summary>
    [Id(2)] public double ComplexityThreshold { get; init; } = 0.45;
    /// <summary>Domain rules, first match wins.</summary>
    [Id(3)] public IReadOnlyList<DomainRuleSettings> DomainRules { get; init; } = [];
    /// <summary>Backup models in order after the chosen one (the extractive responder always ends the chain).</summary>
    [Id(4)] public IReadOnlyList<string> FallbackModelIds { get; init; } = [];
    /// <summary>Monthly budget in USD; null for none.</summary>
    [Id(5)] public decimal? MonthlyBudgetUsd { get; init; }
    /// <summary>"downgrade" (small model only) or "refuse" once the budget is used up.</summary>
    [Id(6)] public string AtBudgetLimit { get; init; } = "downgrade";
    /// <summary>The canary in progress, if any.</summary>
    [Id(7)] public CanarySettings? Canary { get; init; }
    /// <summary>Answer greetings, thanks and confirmations with canned replies.</summary>
    [Id(8)] public bool HardCodedReplies { get; init; } = true;
    /// <summary>Serve repeated first questions from the exact answer cache.</summary>
    [Id(9)] public bool ExactCache { get; init; } = true;
    /// <summary>Serve near-identical first questions from the semantic cache.</summary>
    [Id(10)] public bool SemanticCache { get; init; } = true;
    /// <summary>Cosine similarity at or above which the semantic cache answers.</summary>
    [Id(11)] public double SemanticThreshold { get; init; } = 0.92;
    /// <summary>How long cached answers live, in seconds.</summary>
    [Id(12)] public int CacheTtlSeconds { get; init; } = 3600;
    /// <summary>Learned-router score (0..1) at or above which a question leaves the small model; null for the trained default. Lower costs more and under-serves less.</summary>
    [Id(13)] public double? RouterThreshold { get; init; }
    /// <summary>Replace a small model's answer that shows it is out of its depth with the large model's, before the user sees it.</summary>
    [Id(14)] public bool Escalation { get; init; } = true;
}

/// <summary>A tenant's catalog and policy at one version; no policy yet means turns use the platform model.</summary>
/// <param name="Version">Bumped on every edit; starts again at 0 for a tenant created again under a deleted one's id.</param>
/// <param name="FirstEdit">When this tenant's first edit was stored (default before it): with the version, it tells two
/// tenants of one id apart, so a silo's compiled routing of a deleted tenant is never taken for the new one's.</param>
[GenerateSerializer, Immutable, Alias("routing-config")]
public sealed record RoutingConfig(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<ModelRegistration> Models,
    [property: Id(2)] RoutingPolicySettings? Policy,
    [property: Id(3)] DateTimeOffset FirstEdit = default)
{
    /// <summary>Nothing registered.</summary>
    public static readonly RoutingConfig Empty = new(0, [], null);
}

/// <summary>Something the router did that an admin should see: canary rollback or promotion, budget alerts, policy edits.</summary>
[GenerateSerializer, Immutable, Alias("routing-event")]
public sealed record RoutingEvent([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Kind, [property: Id(2)] string Message);
