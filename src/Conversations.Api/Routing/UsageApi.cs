using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Storage.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Conversations.Api.Routing;

/// <summary>Tenant admin: usage and cost per day, user, model and kind (turns, summaries, batch items), with what caches, cached tokens and routing saved.</summary>
public static class UsageApi
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
        HttpContext http, NpgsqlDataSource db, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, string? userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var start = from ?? new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var end = to ?? now.AddSeconds(1);
        if (end <= start) return Problems.BadRequest("'to' must be after 'from' (ISO 8601 times, e.g. 2025-01-01T00:00:00Z).");
        if (end - start > MaxRange) return Problems.BadRequest("The range may span at most 366 days.");
        if (userId is not null && !Ids.IsId(userId)) return Problems.BadRequest("userId is not a valid user id.");
        var rows = await new RoutingStore(db).UsageAsync(http.Caller().TenantId!, start, end, userId, ct);
        var dtos = rows.Select(r => new UsageRowDto(r.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.UserId, r.Model,
            r.Turns, r.PromptTokens, r.CachedTokens, r.CompletionTokens, r.CostUsd, r.CachedTokenSavingsUsd, r.CacheHits, r.HardCodedReplies,
            r.CacheSavingsUsd, r.RoutingSavingsUsd)
        {
            Kind = r.Kind, Summaries = r.Summaries, BatchItems = r.BatchItems, ModelCalls = r.ModelCalls, EstimatedCalls = r.EstimatedCalls,
        }).ToList();
        var totals = new UsageRowDto(null, null, null, rows.Sum(r => r.Turns), rows.Sum(r => r.PromptTokens), rows.Sum(r => r.CachedTokens),
            rows.Sum(r => r.CompletionTokens), rows.Sum(r => r.CostUsd), rows.Sum(r => r.CachedTokenSavingsUsd), rows.Sum(r => r.CacheHits),
            rows.Sum(r => r.HardCodedReplies), rows.Sum(r => r.CacheSavingsUsd), rows.Sum(r => r.RoutingSavingsUsd))
        {
            Summaries = rows.Sum(r => r.Summaries), BatchItems = rows.Sum(r => r.BatchItems), ModelCalls = rows.Sum(r => r.ModelCalls),
            EstimatedCalls = rows.Sum(r => r.EstimatedCalls),
        };
        return TypedResults.Ok(new UsageReportDto(start, end, dtos, totals));
    }
}
