using Conversations.Contracts.Routing;

namespace Conversations.Api.Routing;

/// <summary>Body of PUT /v1/routing/models/{id}: an OpenAI-compatible endpoint (include /v1), its tier, domains and prices per million tokens.</summary>
public sealed record ModelBody(
    string? Endpoint, string? ApiKey, string? ModelName, string? Tier, IReadOnlyList<string>? Domains,
    decimal? InputPerMillion, decimal? CachedInputPerMillion, decimal? OutputPerMillion, int? ContextWindowTokens, decimal? BatchDiscount,
    bool? SendPromptCacheKey = null);

/// <summary>A registered model as the admin sees it: the key is never shown, only whether one is set.</summary>
public sealed record ModelDto(
    string Id, string Endpoint, string ModelName, string Tier, IReadOnlyList<string> Domains, decimal InputPerMillion,
    decimal CachedInputPerMillion, decimal OutputPerMillion, int ContextWindowTokens, decimal BatchDiscount, bool HasApiKey,
    bool? SendPromptCacheKey)
{
    /// <summary>The view of a registration.</summary>
    public static ModelDto From(ModelRegistration m) => new(m.Id, m.Endpoint, m.ModelName, m.Tier, m.Domains, m.InputPerMillion,
        m.CachedInputPerMillion, m.OutputPerMillion, m.ContextWindowTokens, m.BatchDiscount, !string.IsNullOrEmpty(m.ApiKey), m.SendPromptCacheKey);
}

/// <summary>The tenant's routing set-up: version, models (without keys) and policy (null until set: the platform model serves turns).</summary>
public sealed record RoutingConfigDto(long Version, IReadOnlyList<ModelDto> Models, RoutingPolicySettings? Policy)
{
    /// <summary>The view of a config.</summary>
    public static RoutingConfigDto From(RoutingConfig c) => new(c.Version, c.Models.Select(ModelDto.From).ToList(), c.Policy);
}

/// <summary>
/// One model's health as a tenant sees it: <see cref="Circuit"/> is what turns obey ("open" when either the tenant's own
/// circuit or the endpoint's shared one is), <see cref="Health"/> counts only this tenant's calls with its credential,
/// and <see cref="Shared"/> is the state of the circuit every tenant of the endpoint shares (never other tenants' figures).
/// </summary>
public sealed record ModelHealthDto(string ModelId, string Circuit, ModelHealthView Health, SharedCircuitDto Shared);

/// <summary>The state of an endpoint's shared circuit: "closed", "open" or "half-open", and when an open one allows a probe.</summary>
public sealed record SharedCircuitDto(string Circuit, DateTimeOffset? BreakUntil)
{
    /// <summary>The state of a shared health view, without its counts.</summary>
    public static SharedCircuitDto From(ModelHealthView view) => new(view.Circuit, view.BreakUntil);
}

/// <summary>Body of POST /v1/routing/canary/rollback.</summary>
public sealed record RollbackBody(string? Reason);

/// <summary>Body of the feedback route: "up" or "down", and an optional comment.</summary>
public sealed record FeedbackBody(string? Rating, string? Comment);

/// <summary>The stored vote.</summary>
public sealed record FeedbackDto(string ConversationId, long Seq, string Rating, string Comment, bool FirstVote);

/// <summary>Usage per (day, user, model, kind) with tokens, cost and savings, plus the totals.</summary>
public sealed record UsageReportDto(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageRowDto> Rows, UsageRowDto Totals);

/// <summary>
/// One usage group. <see cref="Kind"/> is "turn", "summary" or "batch" (null in the totals); <see cref="Turns"/> counts
/// chat turns only, <see cref="Summaries"/> background summaries and <see cref="BatchItems"/> batch prompts.
/// <see cref="ModelCalls"/> counts the model calls that consumed tokens (a continued answer makes two), of which
/// <see cref="EstimatedCalls"/> were counted with the tokenizer because the provider reported no usage (cut off or
/// abandoned). Savings compare the same tokens, cached ones included, on the large model (routing) or with no model
/// call at all (caches); <see cref="CachedTokenSavingsUsd"/> is what the provider's prompt cache saved, apart.
/// </summary>
public sealed record UsageRowDto(
    string? Day, string? UserId, string? Model, long Turns, long PromptTokens, long CachedTokens, long CompletionTokens, decimal CostUsd,
    decimal CachedTokenSavingsUsd, long CacheHits, long HardCodedReplies, decimal CacheSavingsUsd, decimal RoutingSavingsUsd)
{
    /// <summary>"turn", "summary" or "batch"; null in the totals.</summary>
    public string? Kind { get; init; }
    /// <summary>Background conversation summaries.</summary>
    public long Summaries { get; init; }
    /// <summary>Offline batch prompts.</summary>
    public long BatchItems { get; init; }
    /// <summary>Model calls that consumed tokens.</summary>
    public long ModelCalls { get; init; }
    /// <summary>Of <see cref="ModelCalls"/>, those whose tokens were estimated.</summary>
    public long EstimatedCalls { get; init; }
}

/// <summary>Body of POST /v1/batches.</summary>
public sealed record BatchBody(string? ModelId, IReadOnlyList<string>? Prompts, int? MaxOutputTokens);

/// <summary>One answered (or failed) prompt of a batch; the prompt as stored after its input check (null while pending).</summary>
public sealed record BatchItemDto(int Index, string? Prompt, string Status, string? Answer, string? Error, int PromptTokens, int CachedTokens, int CompletionTokens, decimal CostUsd);

/// <summary>A page of batch results; <see cref="NextAfter"/> fetches the next one.</summary>
public sealed record BatchResultsDto(BatchJobView Job, IReadOnlyList<BatchItemDto> Items, int? NextAfter);

/// <summary>
/// Body of POST /v1/capacity/estimate: parameters, bytes per parameter (or a precision name: fp32, fp16, bf16, fp8,
/// int8, int4), KV-cache bytes per token and its layout ("replicated" per card, e.g. MLA, or "sharded"), GPU memory
/// per card in GiB, card count, the share kept for overhead, and the context lengths to report.
/// </summary>
public sealed record CapacityBody(
    double? ParameterCount, double? BytesPerParameter, string? Precision, double? KvCacheBytesPerToken, string? KvCacheLayout,
    double? GpuMemoryGiB, int? GpuCount, double? OverheadFraction, IReadOnlyList<int>? ContextLengths);
