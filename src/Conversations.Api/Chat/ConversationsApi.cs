using System.Globalization;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Api.Moderation;
using Conversations.Api.OpenApi;
using Conversations.Api.Streaming;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Chat;

/// <summary>Conversations of the calling user and the streamed chat turn.</summary>
public static class ConversationsApi
{
    /// <summary>Maps the routes under <c>/v1/conversations</c>.</summary>
    public static RouteGroupBuilder MapConversationsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/conversations").WithTags("Conversations").RequireRoles(Roles.User, Roles.TenantAdmin);
        group.MapPost("/", Create).WithName("CreateConversation").WithSummary("Starts a new conversation.");
        group.MapGet("/", List).WithName("ListConversations").WithSummary("The caller's conversations, most recent first.");
        group.MapGet("/{conversationId}", Get).WithName("GetConversation").WithSummary("A conversation with a page of its history (oldest first; page back with ?before=).");
        group.MapDelete("/{conversationId}", Delete).WithName("DeleteConversation").WithSummary("Deletes a conversation and its history.");
        group.MapPost("/{conversationId}/messages", Send).WithName("SendMessage")
            .WithSummary("Sends a message; the answer streams back as Server-Sent Events: progress, delta, citation, done, error.")
            .ProducesChatEvents().ProducesProblem(StatusCodes.Status409Conflict);
        // A message is checked, then counted against the rate limits (per user and tenant, in grains): 429 with Retry-After.
        group.CheckBodies<PostMessageRequest>(CheckMessage).RequireRateLimit<PostMessageRequest>(m => m.Text!);
        return v1;
    }

    private static async Task<Created<ConversationInfo>> Create(CreateConversationRequest? body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        var title = string.IsNullOrWhiteSpace(body?.Title) ? "New conversation" : body.Title.Trim();
        if (title.Length > 200) throw new ArgumentException("title must be at most 200 characters.");
        var id = Ids.NewConversationId();
        var info = await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, id)).CreateAsync(caller, title);
        return TypedResults.Created($"/v1/conversations/{id}", info);
    }

    private static async Task<Results<Ok<ConversationPage>, ProblemHttpResult>> List(
        HttpContext http, IConversationList conversations, string? cursor, int? limit, CancellationToken ct)
    {
        var caller = http.Caller().ToCaller();
        var take = Math.Clamp(limit ?? 20, 1, 100);
        ConversationCursor? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            var parts = cursor.Split('|', 2);
            if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks))
                return Problems.BadRequest("cursor is not valid; pass the nextCursor of the previous page.");
            after = new ConversationCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[1]);
        }
        // Ownership is part of the query itself: tenant and user are in the WHERE clause.
        var rows = await conversations.ListAsync(caller.TenantId, caller.UserId, after, take, ct);
        var next = rows.Count == take ? $"{rows[^1].UpdatedAt.UtcTicks}|{rows[^1].ConversationId}" : null;
        return TypedResults.Ok(new ConversationPage(rows, next));
    }

    private static async Task<Results<Ok<ConversationWithHistory>, ProblemHttpResult>> Get(
        string conversationId, HttpContext http, IGrainFactory grains, long? before, int? limit)
    {
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId)) return Problems.NotFound("The conversation");
        var grain = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId));
        var info = await grain.GetAsync(caller);
        var page = info is null ? null : await grain.GetHistoryAsync(caller, before, limit ?? 50);
        if (info is null || page is null) return Problems.NotFound("The conversation");
        return TypedResults.Ok(new ConversationWithHistory(info, page.Messages, page.NextBefore));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string conversationId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId)) return Problems.NotFound("The conversation");
        var deleted = await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId)).DeleteAsync(caller);
        return deleted ? TypedResults.NoContent() : Problems.NotFound("The conversation");
    }

    // The group's filters have checked the message and admitted it against the rate limits.
    private static async Task<IResult> Send(string conversationId, PostMessageRequest body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        var grain = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId));
        // Check ownership before committing to a 200 stream, so a wrong id is a plain 404.
        if (!await grain.IsOwnedByAsync(caller)) return Problems.NotFound("The conversation");
        var events = grain.SendAsync(new SendMessage(caller, body.Text!, body.TurnId), http.RequestAborted);
        return new ServerSentEventsResult(events);
    }

    private static IResult? CheckMessage(PostMessageRequest body, HttpContext http)
    {
        if (!Ids.IsId(http.Request.RouteValues["conversationId"] as string)) return Problems.NotFound("The conversation");
        if (string.IsNullOrWhiteSpace(body.Text)) return Problems.BadRequest("text is required: send {\"text\": \"your message\"}.");
        var max = http.RequestServices.GetRequiredService<IOptions<ChatApiOptions>>().Value.MaxMessageChars;
        if (body.Text.Length > max)
            return Problems.TooLarge($"The message has {body.Text.Length:N0} characters; the limit is {max:N0}. Shorten it or split it into several messages.");
        if (body.TurnId is not null && !Ids.IsId(body.TurnId)) return Problems.BadRequest("turnId may use letters, digits, '.', '_', '-' and '@' (1–64 characters).");
        return null;
    }
}
