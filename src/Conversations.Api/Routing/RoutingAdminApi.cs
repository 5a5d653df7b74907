using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Conversations.Contracts.Evaluation;
using Conversations.Contracts.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Routing;

/// <summary>Tenant admin: model catalog, routing policy, endpoint health, canary, budget and routing events.</summary>
internal static class RoutingAdminApi
{
    /// <summary>Maps the routes under <c>/v1/routing</c>.</summary>
    public static RouteGroupBuilder MapRoutingAdminApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/routing").WithTags("Model routing").RequireRoles(Roles.TenantAdmin);
        admin.MapGet("/", GetConfig).WithName("GetRouting").WithSummary("The tenant's models (keys hidden) and routing policy.");
        admin.MapPut("/models/{modelId}", PutModel).WithName("PutModel").WithSummary("Registers or replaces a model (OpenAI-compatible endpoint, tier, domains, prices).");
        admin.MapDelete("/models/{modelId}", DeleteModel).WithName("DeleteModel").WithSummary("Removes a model the policy does not use.");
        admin.MapPut("/policy", PutPolicy).WithName("PutRoutingPolicy")
            .WithSummary("Sets the routing policy: small/large, domain rules, threshold, fallbacks, budget, canary, caches. With If-Match: \"<version>\" (from GET /v1/routing), a policy changed meanwhile is a 412, not overwritten.")
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        admin.MapGet("/health", GetHealth).WithName("GetModelHealth").WithSummary("Per registered model: the circuit turns obey, this tenant's own call figures, and the endpoint's shared circuit as it bears on this tenant (open only once the tenant's own last call there failed).");
        admin.MapGet("/canary", GetCanary).WithName("GetCanary").WithSummary("The canary's per-arm figures and the evaluator's verdict.");
        admin.MapPost("/canary/promote", Promote).WithName("PromoteCanary")
            .WithSummary("Runs the evaluation gate (the set against candidate and baseline, and the live canary figures); when it passes, or with override and a reason, the candidate replaces its baseline.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/canary/rollback", Rollback).WithName("RollbackCanary").WithSummary("Ends the canary; all traffic goes back to the baseline.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/budget", GetBudget).WithName("GetBudget").WithSummary("This month's budget, spend, reservations in flight and alerts.");
        admin.MapGet("/events", GetEvents).WithName("GetRoutingEvents")
            .WithSummary("Policy edits, canary rollbacks and promotions, budget alerts; newest first (the last 200). Filters: kind (a prefix such as 'canary' or 'budget'), since, before (the next page: the last event's time), limit.");
        return v1;
    }

    private static string Tenant(HttpContext http) => http.Caller().TenantId!;

    private static async Task<Ok<RoutingConfigDto>> GetConfig(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(RoutingConfigDto.From(await grains.GetGrain<IRoutingConfigGrain>(Tenant(http)).GetAsync()));

    private static async Task<Results<Ok<RoutingConfigDto>, ProblemHttpResult>> PutModel(string modelId, ModelBody body, HttpContext http, IGrainFactory grains)
    {
        if (!Ids.IsId(modelId)) return Problems.BadRequest("The model id may use letters, digits, '.', '_', '-' and '@' (1–64 characters).");
        // The body's attributes checked the required fields together (one 400 naming each); cachedInputPerMillion
        // defaults to the input price.
        var model = new ModelRegistration(modelId, body.Endpoint!.Trim(), body.ApiKey, body.ModelName!.Trim(), body.Tier ?? "small", body.Domains ?? [],
            body.InputPerMillion!.Value, body.CachedInputPerMillion ?? body.InputPerMillion.Value, body.OutputPerMillion!.Value,
            body.ContextWindowTokens!.Value, body.BatchDiscount ?? 0m, body.SendPromptCacheKey, body.Vision ?? false);
        // An edit (a new price, say) need not repeat what the admin cannot read back or did not touch: a left-out apiKey
        // keeps the stored key ("" removes it), and left-out vision / sendPromptCacheKey keep the stored settings.
        var kept = (body.ApiKey is null ? ModelFieldsKept.ApiKey : 0) | (body.Vision is null ? ModelFieldsKept.Vision : 0)
            | (body.SendPromptCacheKey is null ? ModelFieldsKept.SendPromptCacheKey : 0);
        // The grain validates the whole catalog and policy; an ArgumentException becomes a 400 naming the field.
        return TypedResults.Ok(RoutingConfigDto.From(await grains.GetGrain<IRoutingConfigGrain>(Tenant(http)).PutModelAsync(model, kept)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteModel(string modelId, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IRoutingConfigGrain>(Tenant(http)).DeleteModelAsync(modelId) ? TypedResults.NoContent() : Problems.AdminNotFound($"Model '{modelId}'");

    // A new canary (or a new evaluation set for it) with an evaluation set runs the set against both arms; the figures
    // are stored as runs and summarised in the routing events.
    private static async Task<Results<Ok<RoutingConfigDto>, ProblemHttpResult>> PutPolicy(RoutingPolicySettings body, HttpContext http, IGrainFactory grains,
        IEvaluations evaluations, CancellationToken ct)
    {
        var grain = grains.GetGrain<IRoutingConfigGrain>(Tenant(http));
        // The policy is replaced whole: a page opened before a promotion, a rollback or another admin's save would put
        // the old models and canary back. If-Match (the version the page read) turns that into a 412 instead.
        if (http.Request.Headers.IfMatch.Count > 0)
        {
            if (!TryVersion(http.Request.Headers.IfMatch.ToString(), out var expected))
                return Problems.BadRequest("If-Match must be the routing config's version, as GET /v1/routing gives it (e.g. If-Match: \"12\").", "If-Match");
            if ((await grain.GetAsync()).Version is var current && current != expected)
                return TypedResults.Problem($"The routing policy changed since it was read (version {expected}, now {current}): reload it and make your change again.",
                    statusCode: 412, title: "Changed meanwhile", type: "https://httpstatuses.io/412",
                    extensions: new Dictionary<string, object?> { ["code"] = "version_mismatch", ["version"] = current });
        }
        EvaluationSet? set = null;
        if (body.Canary is { } canary)
        {
            if (canary.EvaluationMargin is < 0 or > 1) return Problems.BadRequest("canary.evaluationMargin must be between 0 and 1.");
            if (canary.EvaluationSetId is { } setId && (set = await evaluations.GetSetAsync(Tenant(http), setId, ct)) is null)
                return Problems.BadRequest($"canary.evaluationSetId: there is no evaluation set '{setId}'.");
        }
        var before = (await grain.GetAsync()).Policy?.Canary;
        var config = await grain.SetPolicyAsync(body);
        if (set is not null && body.Canary is { } started && !SameCanary(before, started))
        {
            var decision = await evaluations.CompareAsync(http.Caller().ToCaller(), started, set, started.EvaluationMargin, withLive: false, "canary-start", reuseRecent: false, ct);
            await grain.RecordEventAsync(new RoutingEvent(DateTimeOffset.UtcNow, "canary-evaluated", EvaluationGateText.Summary(started, decision)));
        }
        return TypedResults.Ok(RoutingConfigDto.From(config));
    }

    private static bool SameCanary(CanarySettings? a, CanarySettings b) => a is not null
        && string.Equals(a.CandidateModelId, b.CandidateModelId, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.BaselineModelId, b.BaselineModelId, StringComparison.OrdinalIgnoreCase)
        && a.EvaluationSetId == b.EvaluationSetId;

    // The tenant's own credential's figures, and of the endpoint's shared circuit only its state: its counts include other tenants.
    private static async Task<Ok<IReadOnlyList<ModelHealthDto>>> GetHealth(HttpContext http, IModelHealthReport health) =>
        TypedResults.Ok<IReadOnlyList<ModelHealthDto>>((await health.ForTenantAsync(Tenant(http)))
            .Select(m => new ModelHealthDto(m.ModelId, m.Circuit, m.Credential, SharedCircuitDto.From(m.Shared))).ToList());

    private static async Task<Ok<CanaryView>> GetCanary(HttpContext http, IGrainFactory grains)
    {
        var config = await grains.GetGrain<IRoutingConfigGrain>(Tenant(http)).GetAsync();
        return TypedResults.Ok(await grains.GetGrain<ICanaryGrain>(Tenant(http)).GetAsync(config.Policy?.Canary));
    }

    // The gate: the evaluation set against both arms and the live canary figures. Refused with 422 naming each failing
    // metric and its numbers; an override promotes anyway and records who overrode what, when and why.
    private static async Task<Results<Ok<RoutingConfigDto>, ProblemHttpResult>> Promote(PromoteBody? body, HttpContext http, IGrainFactory grains,
        IEvaluations evaluations, IAuditLog audit, CancellationToken ct)
    {
        if (ReasonTooLong(body?.Reason) is { } tooLong) return tooLong;
        var caller = http.Caller().ToCaller();
        var grain = grains.GetGrain<IRoutingConfigGrain>(caller.TenantId);
        // No canary (any more): another promotion or a rollback ended it, a conflict with that change rather than a bad request.
        if ((await grain.GetAsync()).Policy?.Canary is not { } canary) return NoCanary();
        var overriding = body?.Override == true;
        if (overriding && string.IsNullOrWhiteSpace(body!.Reason)) return Problems.BadRequest("An override needs a reason: it is recorded in the routing events.");
        EvaluationSet? set = null;
        // The set cannot be deleted while the canary runs; this holds only for a set deleted before that rule. An override
        // then decides on the live figures alone (as a canary without a set does), which its recorded reason answers for.
        if (canary.EvaluationSetId is { } setId && (set = await evaluations.GetSetAsync(caller.TenantId, setId, ct)) is null && !overriding)
            return Problems.Conflict($"The canary's evaluation set '{setId}' no longer exists: start the canary again with a set, or promote with override and a reason (the live figures alone then decide).");

        // An override follows a refusal: the set's answers just given are compared again, not asked (and billed) again.
        var decision = await evaluations.CompareAsync(caller, canary, set, canary.EvaluationMargin, withLive: true, "canary-promote", reuseRecent: overriding, ct);
        if (decision.Incomplete)
        {
            await grain.RecordEventAsync(new RoutingEvent(DateTimeOffset.UtcNow, "canary-promotion-undecided", EvaluationGateText.Summary(canary, decision)));
            return EvaluationGateText.Undecided(canary, decision);
        }
        if (!decision.Passed && !overriding)
        {
            await grain.RecordEventAsync(new RoutingEvent(DateTimeOffset.UtcNow, "canary-promotion-refused", EvaluationGateText.Summary(canary, decision)));
            return EvaluationGateText.Refusal(canary, decision);
        }
        if (!decision.Passed)
        {
            await grain.RecordEventAsync(new RoutingEvent(DateTimeOffset.UtcNow, "canary-promotion-override",
                $"{caller.UserId} overrode the promotion gate at {DateTimeOffset.UtcNow:O}: {body!.Reason!.Trim()}. {EvaluationGateText.Summary(canary, decision)}"));
            await audit.AppendAsync(caller.TenantId, http.Caller().ToActor(http), "canary.promotion-override", $"canary:{canary.CandidateModelId}", null,
                new JsonObject
                {
                    ["reason"] = body.Reason.Trim(),
                    ["failures"] = new JsonArray([.. decision.Failures.Select(f => (JsonNode?)JsonValue.Create(f.Message))]),
                }, ct);
        }
        // Null when the canary ended, or another promotion won, while this one ran its gate.
        return await grain.PromoteCanaryAsync(canary) is { } promoted ? TypedResults.Ok(RoutingConfigDto.From(promoted)) : NoCanary();
    }

    // An entity tag of the version: "12", W/"12" or a bare 12.
    private static bool TryVersion(string tag, out long version)
    {
        var text = tag.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
        return long.TryParse(text.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out version);
    }

    // A reason is kept in the routing events (and an override's in the audit log) for good: its length is bounded.
    private static ProblemHttpResult? ReasonTooLong(string? reason) => reason is { Length: > RollbackBody.MaxReasonChars }
        ? Problems.BadRequest($"reason must be at most {RollbackBody.MaxReasonChars:N0} characters.", "reason")
        : null;

    private static ProblemHttpResult NoCanary() =>
        Problems.Conflict("There is no canary to promote: it was promoted or rolled back (see GET /v1/routing/events?kind=canary).");

    private static async Task<Results<Ok<RoutingConfigDto>, ProblemHttpResult>> Rollback(RollbackBody? body, HttpContext http, IGrainFactory grains)
    {
        if (ReasonTooLong(body?.Reason) is { } tooLong) return tooLong;
        var grain = grains.GetGrain<IRoutingConfigGrain>(Tenant(http));
        if ((await grain.GetAsync()).Policy?.Canary is null) return Problems.Conflict("There is no canary in progress.");
        return TypedResults.Ok(RoutingConfigDto.From(await grain.RollbackCanaryAsync(string.IsNullOrWhiteSpace(body?.Reason) ? "rolled back by an administrator" : body.Reason.Trim())));
    }

    private static async Task<Ok<BudgetView>> GetBudget(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IBudgetGrain>(Tenant(http)).GetAsync());

    // The grain keeps a bounded list, so the filters and paging run here over it.
    private static async Task<Results<Ok<IReadOnlyList<RoutingEvent>>, ProblemHttpResult>> GetEvents(
        HttpContext http, IGrainFactory grains, string? kind, DateTimeOffset? since, DateTimeOffset? before, [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit)
    {
        // An empty window is a mistake in the request, as on the usage and audit counts: said, not answered with [].
        if (Problems.Window(since, before, endName: "'before'") is { } window) return window;
        var events = await grains.GetGrain<IRoutingConfigGrain>(Tenant(http)).GetEventsAsync();
        IReadOnlyList<RoutingEvent> page = [.. events
            .Where(e => string.IsNullOrEmpty(kind) || e.Kind.StartsWith(kind, StringComparison.OrdinalIgnoreCase))
            .Where(e => since is null || e.At >= since)
            .Where(e => before is null || e.At < before)
            .Take(limit ?? 200)];
        return TypedResults.Ok(page);
    }
}
