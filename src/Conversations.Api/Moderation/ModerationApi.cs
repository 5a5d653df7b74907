using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Moderation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Moderation;

/// <summary>Moderation for tenant admins: rate limits, custom lexicons and the moderation event log.</summary>
internal static class ModerationApi
{
    /// <summary>Maps the routes under <c>/v1/moderation</c>.</summary>
    public static RouteGroupBuilder MapModerationApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/moderation").WithTags("Moderation").RequireRoles(Roles.TenantAdmin);
        admin.MapGet("/settings", GetSettings).WithName("GetModerationSettings")
            .WithSummary("Request and token limits per user and per tenant, and what happens while Green is unreachable.");
        admin.MapGet("/status", GetStatus).WithName("GetModerationStatus")
            .WithSummary("What moderation can check with the platform's configuration: whether Alibaba Green is on, and whether it checks images (and if not, why).");
        admin.MapPatch("/settings", UpdateSettings).WithName("UpdateModerationSettings")
            .WithSummary("Changes limits (requests/tokens a minute, per user and per tenant) or the Green failure mode ('open' or 'closed').");
        admin.MapGet("/lexicons", ListLexicons).WithName("ListLexicons").WithSummary("The tenant's custom lexicons and their version.");
        admin.MapGet("/lexicons/{name}", GetLexicon).WithName("GetLexicon").WithSummary("One custom lexicon.");
        admin.MapPut("/lexicons/{name}", PutLexicon).WithName("PutLexicon")
            .WithSummary("Creates or replaces a lexicon: words (whole words; anywhere in CJK), substringWords (also inside longer words), riskLevel (low|medium|high), action (block|mask), label, scope (both|input|output: questions, answers or both). Applies from the next turn.");
        admin.MapDelete("/lexicons/{name}", DeleteLexicon).WithName("DeleteLexicon").WithSummary("Deletes a custom lexicon.");
        admin.MapGet("/events", ListEvents).WithName("ListModerationEvents")
            .WithSummary("Moderation events, newest first (content masked). Filters: phase, action, userId, conversationId, label, since, until.");
        return v1;
    }

    private static string Tenant(HttpContext http) => http.Caller().TenantId!;

    private static async Task<Ok<ModerationSettings>> GetSettings(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantModerationGrain>(Tenant(http)).GetSettingsAsync());

    private static async Task<Ok<ModerationStatus>> GetStatus(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantModerationGrain>(Tenant(http)).GetStatusAsync());

    // The grain validates; its ArgumentException becomes a 400 with the message.
    private static async Task<Ok<ModerationSettings>> UpdateSettings(ModerationSettingsPatch patch, HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantModerationGrain>(Tenant(http)).UpdateSettingsAsync(patch));

    private static async Task<Ok<LexiconListDto>> ListLexicons(HttpContext http, IGrainFactory grains)
    {
        var all = await grains.GetGrain<ITenantLexiconGrain>(Tenant(http)).GetAsync();
        return TypedResults.Ok(new LexiconListDto(all.Version, all.Lexicons.Select(ToDto).ToList()));
    }

    private static async Task<Results<Ok<LexiconDto>, ProblemHttpResult>> GetLexicon(string name, HttpContext http, IGrainFactory grains)
    {
        var all = await grains.GetGrain<ITenantLexiconGrain>(Tenant(http)).GetAsync();
        return all.Lexicons.FirstOrDefault(l => l.Name == name) is { } lexicon ? TypedResults.Ok(ToDto(lexicon)) : Problems.AdminNotFound($"Lexicon '{name}'");
    }

    private static async Task<Results<Ok<LexiconVersionDto>, ProblemHttpResult>> PutLexicon(
        string name, PutLexiconRequest? body, HttpContext http, IGrainFactory grains)
    {
        if (body is null) return Problems.BadRequest("Send {\"words\": [\"jiaoyu.com\"], \"riskLevel\": \"high\", \"action\": \"block\"}.");
        var definition = new LexiconDefinition(name, body.Words ?? [], body.RiskLevel ?? "", body.Action ?? "", body.Label ?? "", default, body.SubstringWords ?? [], body.Scope);
        var version = await grains.GetGrain<ITenantLexiconGrain>(Tenant(http)).PutAsync(definition);
        return TypedResults.Ok(new LexiconVersionDto(name.Trim(), version));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteLexicon(string name, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<ITenantLexiconGrain>(Tenant(http)).DeleteAsync(name) is null ? Problems.AdminNotFound($"Lexicon '{name}'") : TypedResults.NoContent();

    private static async Task<Results<Ok<ModerationEventPage>, ProblemHttpResult>> ListEvents(
        HttpContext http, IModerationEventLog log, string? phase, string? action, string? userId, string? conversationId, string? label,
        DateTimeOffset? since, DateTimeOffset? until, string? cursor, [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit, CancellationToken ct)
    {
        if (phase is not (null or "input" or "output")) return Problems.BadRequest("phase must be 'input' or 'output'.");
        if (action is not (null or "allow" or "mask" or "block")) return Problems.BadRequest("action must be 'allow', 'mask' or 'block'.");
        if (Problems.Window(since, until) is { } window) return window;
        long? before = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return Problems.InvalidCursor();
            before = id;
        }
        var page = await log.ListAsync(Tenant(http), new ModerationEventFilter
        {
            Phase = phase, Action = action, UserId = userId, ConversationId = conversationId, Label = label,
            Since = since, Until = until, BeforeId = before, Limit = limit ?? 50,
        }, ct);
        var events = page.Events.Select(r => new ModerationEventDto(r.Id, r.UserId, r.ConversationId, r.TurnId, r.Phase, r.Action, r.RiskLevel,
            r.Labels, r.Libraries, r.Checkers, r.Content, r.CreatedAt)).ToList();
        return TypedResults.Ok(new ModerationEventPage(events, page.NextBeforeId?.ToString(CultureInfo.InvariantCulture)));
    }

    private static LexiconDto ToDto(LexiconDefinition l) => new(l.Name, l.Words, l.RiskLevel, l.Action, l.Label, l.UpdatedAt, l.SubstringWords ?? [], l.Scope ?? "both");
}
