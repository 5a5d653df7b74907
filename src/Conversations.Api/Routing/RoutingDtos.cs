using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Conversations.Contracts.Routing;
using Conversations.Routing.Learned;

namespace Conversations.Api.Routing;

/// <summary>
/// Body of PUT /v1/routing/models/{id}: an OpenAI-compatible endpoint (include /v1), its tier, domains, prices per million
/// tokens, and whether it reads images. Replacing a registered model, a left-out apiKey keeps the stored key (as long as
/// the endpoint is the same), "" removes it; a left-out vision or sendPromptCacheKey keeps the stored setting.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ModelBody(
    [Required(ErrorMessage = "endpoint is required: the OpenAI-compatible base URL including /v1.")] string? Endpoint,
    string? ApiKey,
    [Required(ErrorMessage = "modelName is required: the model name the endpoint expects.")] string? ModelName,
    string? Tier, IReadOnlyList<string>? Domains,
    [Required(ErrorMessage = "inputPerMillion is required (USD per million input tokens).")]
    [Range(0d, ModelPrices.MaxPerMillion, ErrorMessage = "inputPerMillion must be a number from 0 to 1,000,000 (USD per million input tokens).")] decimal? InputPerMillion,
    [Range(0d, ModelPrices.MaxPerMillion, ErrorMessage = "cachedInputPerMillion must be a number from 0 to 1,000,000 (USD per million cached input tokens).")] decimal? CachedInputPerMillion,
    [Required(ErrorMessage = "outputPerMillion is required (USD per million output tokens).")]
    [Range(0d, ModelPrices.MaxPerMillion, ErrorMessage = "outputPerMillion must be a number from 0 to 1,000,000 (USD per million output tokens).")] decimal? OutputPerMillion,
    [Required(ErrorMessage = "contextWindowTokens is required: how many tokens the model reads at most.")] int? ContextWindowTokens,
    decimal? BatchDiscount, bool? SendPromptCacheKey = null, bool? Vision = null);

/// <summary>The bounds of a registered model's prices.</summary>
internal static class ModelPrices
{
    /// <summary>The highest price a model may be registered with, USD per million tokens: far above any real model, and far
    /// below what would overflow a month of costs.</summary>
    public const double MaxPerMillion = 1_000_000;
}

/// <summary>A registered model as the admin sees it: the key is never shown, only whether one is set.</summary>
internal sealed record ModelDto(
    string Id, string Endpoint, string ModelName, string Tier, IReadOnlyList<string> Domains, decimal InputPerMillion,
    decimal CachedInputPerMillion, decimal OutputPerMillion, int ContextWindowTokens, decimal BatchDiscount, bool HasApiKey,
    bool? SendPromptCacheKey, bool Vision)
{
    /// <summary>The view of a registration.</summary>
    public static ModelDto From(ModelRegistration m) => new(m.Id, WithoutCredentials(m.Endpoint), m.ModelName, m.Tier, m.Domains, m.InputPerMillion,
        m.CachedInputPerMillion, m.OutputPerMillion, m.ContextWindowTokens, m.BatchDiscount, !string.IsNullOrEmpty(m.ApiKey), m.SendPromptCacheKey, m.Vision);

    // Endpoints registered before user:password@ was refused still carry it: shown hidden, like the key (saving the
    // form back is then refused until the credentials move to apiKey).
    private static string WithoutCredentials(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? endpoint.Replace(uri.UserInfo + "@", "(hidden)@", StringComparison.Ordinal)
            : endpoint;
}

/// <summary>
/// The tenant's routing set-up: version, models (without keys), policy (null until set: the platform model serves
/// turns), and the learned router's trained threshold, which a policy's null <c>routerThreshold</c> stands for (null
/// when this build has no learned router).
/// </summary>
internal sealed record RoutingConfigDto(long Version, IReadOnlyList<ModelDto> Models, RoutingPolicySettings? Policy, double? LearnedRouterDefaultThreshold)
{
    /// <summary>The view of a config.</summary>
    public static RoutingConfigDto From(RoutingConfig c) =>
        new(c.Version, c.Models.Select(ModelDto.From).ToList(), c.Policy, LearnedRouter.Shipped?.Weights.DefaultThreshold);
}

/// <summary>
/// One model's health as a tenant sees it: <see cref="Circuit"/> is what turns obey ("open" when either the tenant's own
/// circuit or the endpoint's shared one is), <see cref="Health"/> counts only this tenant's calls with its credential,
/// and <see cref="Shared"/> is the state of the circuit every tenant of the endpoint shares (never other tenants' figures).
/// </summary>
internal sealed record ModelHealthDto(string ModelId, string Circuit, ModelHealthView Health, SharedCircuitDto Shared);

/// <summary>The state of an endpoint's shared circuit: "closed", "open" or "half-open", and when an open one allows a probe.</summary>
internal sealed record SharedCircuitDto(string Circuit, DateTimeOffset? BreakUntil)
{
    /// <summary>The state of a shared health view, without its counts.</summary>
    public static SharedCircuitDto From(ModelHealthView view) => new(view.Circuit, view.BreakUntil);
}

/// <summary>Body of POST /v1/routing/canary/rollback.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record RollbackBody(string? Reason)
{
    /// <summary>Longest reason: it is kept in the routing events (and the audit log) for good.</summary>
    public const int MaxReasonChars = 1000;
}

/// <summary>
/// Promotion options. The gate always uses the canary's own evaluation set and margin (another set or margin would be an
/// override in effect); <see cref="Override"/> promotes despite a failing gate and needs a <see cref="Reason"/>, recorded
/// in the routing events with who and when.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PromoteBody(bool? Override, string? Reason);
