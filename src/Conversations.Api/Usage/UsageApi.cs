using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Usage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Usage;

/// <summary>Tenant admin: usage and cost per day, user, model and kind (turns, summaries, batch items), with what caches, cached tokens and routing saved.</summary>
internal static class UsageApi
{
    /// <summary>Longest report range.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    /// <summary>Maps the routes under <c>/v1/usage</c>.</summary>
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/usage").WithTags("Usage and cost").RequireRoles(Roles.TenantAdmin);
        admin.MapGet("/", Report).WithName("GetUsage")
            .WithSummary("Usage per day, user, model and kind in [from, to) (default: this month): turns, summaries, batch items, model calls, prompt, cached and completion tokens, cost, savings.");
        return v1;
    }

    private static async Task<Results<Ok<UsageReportDto>, ProblemHttpResult>> Report(
        HttpContext http, IUsageReports reports, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, string? userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var start = from ?? new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var end = to ?? now.AddSeconds(1);
        if (end <= start) return Problems.BadRequest("'to' must be after 'from' (ISO 8601 times, e.g. 2025-01-01T00:00:00Z).");
        if (end - start > MaxRange) return Problems.BadRequest("The range may span at most 366 days.");
        if (userId is not null && !Ids.IsId(userId)) return Problems.BadRequest("userId is not a valid user id.");
        var report = await reports.GetAsync(http.Caller().TenantId!, start, end, userId, ct);
        return TypedResults.Ok(new UsageReportDto(start, end, report.Groups.Select(ToDto).ToList(), ToDto(report.Totals)));
    }

    private static UsageRowDto ToDto(UsageGroup g) => new(g.Day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), g.UserId, g.Model,
        g.Turns, g.PromptTokens, g.CachedTokens, g.CompletionTokens, g.CostUsd, g.CachedTokenSavingsUsd, g.CacheHits, g.HardCodedReplies,
        g.CacheSavingsUsd, g.RoutingSavingsUsd)
    {
        Kind = g.Kind, Summaries = g.Summaries, BatchItems = g.BatchItems, EvaluationTurns = g.EvaluationTurns, ModelCalls = g.ModelCalls,
        EstimatedCalls = g.EstimatedCalls,
    };
}
