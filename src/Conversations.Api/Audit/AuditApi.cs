using System.ComponentModel.DataAnnotations;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Api.Tenancy;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Audit;

/// <summary>An audit entry as the API shows it.</summary>
internal sealed record AuditEntryDto(
    long Id, DateTimeOffset At, string? ActorKeyId, string? ActorUserId, string? ClientAddress, string Action, string Target,
    System.Text.Json.Nodes.JsonNode? Before, System.Text.Json.Nodes.JsonNode? After);

/// <summary>A page of audit entries, newest first; pass <c>nextBefore</c> as <c>?before=</c> for the next page.</summary>
internal sealed record AuditPage(IReadOnlyList<AuditEntryDto> Entries, long? NextBefore);

/// <summary>Entries per action in a time range, with moderation blocks per phase (<c>moderation.block.input</c>, <c>.output</c>).</summary>
internal sealed record AuditCounts(DateTimeOffset Since, DateTimeOffset Until, IReadOnlyDictionary<string, long> Actions);

/// <summary>The audit log's read routes: a tenant admin reads their own tenant's, the operator any tenant's and the platform's.</summary>
internal static class AuditApi
{
    /// <summary>Maps the routes under <c>/v1</c>.</summary>
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/audit", Own).WithTags("Audit").RequireRoles(Roles.TenantAdmin, Roles.Operator).WithName("GetAuditLog")
            .WithSummary("The caller's tenant's audit log (the platform's own for an operator), newest first; filter by ?action=, ?keyId=, ?since=, ?until=, page with ?before=.");
        v1.MapGet("/audit/counts", Counts).WithTags("Audit").RequireRoles(Roles.TenantAdmin, Roles.Operator).WithName("GetAuditCounts")
            .WithSummary("How many entries of each action (key changes, admin changes, refused accesses) and moderation blocks in ?since=..?until= (default: the last 30 days).");
        v1.MapGet("/tenants/{tenantId}/audit", OfTenant).WithTags("Audit").RequireRoles(Roles.Operator).WithName("GetTenantAuditLog")
            .WithSummary("A tenant's audit log (operator); 404 for a tenant that does not exist.").RequireExistingTenant();
        return v1;
    }

    private static Task<Results<Ok<AuditPage>, ProblemHttpResult>> Own(HttpContext http, IAuditLog log, string? action, string? keyId,
        DateTimeOffset? since, DateTimeOffset? until, long? before, [Range(1, 500, ErrorMessage = "limit must be between 1 and 500.")] int? limit, CancellationToken ct) =>
        PageAsync(log, http.Caller().TenantId, action, keyId, since, until, before, limit, ct);

    private static Task<Results<Ok<AuditPage>, ProblemHttpResult>> OfTenant(string tenantId, IAuditLog log, string? action, string? keyId,
        DateTimeOffset? since, DateTimeOffset? until, long? before, [Range(1, 500, ErrorMessage = "limit must be between 1 and 500.")] int? limit, CancellationToken ct) =>
        PageAsync(log, tenantId, action, keyId, since, until, before, limit, ct);

    private static async Task<Results<Ok<AuditCounts>, ProblemHttpResult>> Counts(HttpContext http, IAuditLog log, TimeProvider time,
        DateTimeOffset? since, DateTimeOffset? until, CancellationToken ct)
    {
        var to = until ?? time.GetUtcNow();
        var from = since ?? Problems.DaysBefore(to, 30);
        if (Problems.Window(from, to) is { } window) return window;
        return TypedResults.Ok(new AuditCounts(from, to, await log.CountAsync(http.Caller().TenantId, from, to, ct)));
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> PageAsync(IAuditLog log, string? tenantId, string? action, string? keyId,
        DateTimeOffset? since, DateTimeOffset? until, long? before, int? limit, CancellationToken ct)
    {
        if (action is { Length: > 100 } || keyId is { Length: > 100 }) return Problems.BadRequest("action and keyId may have at most 100 characters.");
        if (Problems.Window(since, until) is { } window) return window;
        var take = limit ?? 100;
        var entries = await log.QueryAsync(new AuditQuery(tenantId, action, keyId, since, until, before, take), ct);
        var dtos = entries.Select(e => new AuditEntryDto(e.Id, e.At, e.ActorKeyId, e.ActorUserId, e.ClientAddress, e.Action, e.Target, e.Before, e.After)).ToList();
        return TypedResults.Ok(new AuditPage(dtos, dtos.Count == take ? dtos[^1].Id : null));
    }
}
