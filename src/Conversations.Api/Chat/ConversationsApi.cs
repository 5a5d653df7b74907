using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Api.Images;
using Conversations.Api.Moderation;
using Conversations.Api.OpenApi;
using Conversations.Api.Streaming;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Feedback;
using Conversations.Contracts.Images;
using Conversations.Contracts.Telemetry;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Chat;

/// <summary>Conversations of the calling user and the streamed chat turn.</summary>
internal static class ConversationsApi
{
    /// <summary>The response header that names a turn's id, for resuming its events or cancelling it.</summary>
    public const string TurnIdHeader = "Turn-Id";

    /// <summary>The request header a client may send instead of a body turnId: a retried send with the same key is the same turn.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The refusal of a request with more than one Idempotency-Key header.</summary>
    public const string IdempotencyKeySentTwice = "The Idempotency-Key header appears more than once; send one key per request.";

    /// <summary>
    /// Why the request's Idempotency-Key header is refused (more than one key, or not an id); null when it is usable or
    /// absent. Each route words the refusal in its own error shape.
    /// </summary>
    public static string? IdempotencyKeyProblem(HttpContext http) =>
        IdempotencyKeySentMoreThanOnce(http) ? IdempotencyKeySentTwice
        : http.Request.Headers[IdempotencyKeyHeader].FirstOrDefault() is { } key && !Ids.IsId(key)
            ? "The Idempotency-Key header may use letters, digits, '.', '_', '-' and '@' (1–64 characters)."
            : null;

    /// <summary>Whether the request carries several keys: header lines, or values a client joined with commas (no key has one).</summary>
    public static bool IdempotencyKeySentMoreThanOnce(HttpContext http) =>
        http.Request.Headers[IdempotencyKeyHeader] is var keys && (keys.Count > 1 || keys.Any(k => k?.Contains(',', StringComparison.Ordinal) == true));

    /// <summary>Maps the routes under <c>/v1/conversations</c>.</summary>
    public static RouteGroupBuilder MapConversationsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/conversations").WithTags("Conversations").RequireRoles(Roles.User, Roles.TenantAdmin);
        group.MapPost("/", Create).WithName("CreateConversation")
            .WithSummary("Starts a new conversation. With an Idempotency-Key header, a retry of the same create (same caller, same key) returns the same conversation.");
        group.MapGet("/", List).WithName("ListConversations").WithSummary("The caller's conversations, most recent first; ?q= keeps those whose title or messages hold the text (a match in the messages comes as match).");
        group.MapGet("/{conversationId}", Get).WithName("GetConversation").WithSummary("A conversation with a page of its history (oldest first; page back with ?before=).");
        group.MapPatch("/{conversationId}", Rename).WithName("RenameConversation").WithSummary("Renames a conversation: {\"title\": \"...\"}.");
        group.MapDelete("/{conversationId}", Delete).WithName("DeleteConversation").WithSummary("Deletes a conversation and its history.");
        group.MapPost("/{conversationId}/messages", Send).WithName("SendMessage")
            .WithSummary("Sends a message; the answer streams back as Server-Sent Events: progress, delta, citation, done, error.")
            .ProducesChatEvents().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{conversationId}/turns/{turnId}/events", Events).WithName("GetTurnEvents")
            .WithSummary("Resumes a turn's event stream: the events after Last-Event-ID (or ?after=), then the live ones; a finished turn replays from its stored answer.")
            .ProducesChatEvents();
        group.MapPost("/{conversationId}/turns/{turnId}/cancel", Cancel).WithName("CancelTurn")
            .WithSummary("Stops a running turn: the partial answer is kept, stored as stopped, and billed.")
            .ProducesProblem(StatusCodes.Status409Conflict).RefusesBody();
        // A message is checked, then counted against the rate limits (per user and tenant, in grains): 429 with Retry-After.
        group.CheckBodies<PostMessageRequest>(CheckMessage).RequireRateLimit<PostMessageRequest>(m => m.Text!);
        return v1;
    }

    private static async Task<Results<Created<ConversationInfo>, ProblemHttpResult>> Create(CreateConversationRequest? body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        var title = string.IsNullOrWhiteSpace(body?.Title) ? "New conversation" : body.Title.Trim();
        if (title.Length > 200) throw new ArgumentException("title must be at most 200 characters.");
        // A phone whose answer was lost sends the create again: with the same Idempotency-Key it gets the same
        // conversation, not a second, empty one in the list.
        if (IdempotencyKeyProblem(http) is { } badKey) return Problems.BadRequest(badKey, IdempotencyKeyHeader);
        var key = http.Request.Headers[IdempotencyKeyHeader].FirstOrDefault();
        var id = key is null ? Ids.NewConversationId() : Ids.CallerScoped("c_", caller.TenantId, caller.UserId, "conversation\n" + key, 20);
        var info = await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, id)).CreateAsync(caller, title);
        return TypedResults.Created($"/v1/conversations/{id}", info);
    }

    private static async Task<Results<Ok<ConversationPage>, ProblemHttpResult>> List(
        HttpContext http, IConversationList conversations, string? cursor, [Range(1, 100, ErrorMessage = "limit must be between 1 and 100.")] int? limit, string? q, CancellationToken ct)
    {
        if (q is { Length: > 200 }) return Problems.BadRequest("q must be at most 200 characters.");
        var caller = http.Caller().ToCaller();
        var take = limit ?? 20;
        ConversationCursor? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            var parts = cursor.Split('|', 2);
            if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks || !Ids.IsId(parts[1]))
                return Problems.InvalidCursor();
            after = new ConversationCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[1]);
        }
        // Ownership is part of the query itself: tenant and user are in the WHERE clause.
        var page = await conversations.ListAsync(caller.TenantId, caller.UserId, after, take, ct, string.IsNullOrWhiteSpace(q) ? null : q.Trim());
        var next = page.Next is { } n ? $"{n.UpdatedAt.UtcTicks}|{n.ConversationId}" : null;
        return TypedResults.Ok(new ConversationPage(page.Conversations, next));
    }

    private static async Task<Results<Ok<ConversationWithHistory>, ProblemHttpResult>> Get(
        string conversationId, HttpContext http, IGrainFactory grains, IFeedbackLog feedback, long? before,
        [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit, CancellationToken ct)
    {
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId)) return Problems.NotFound("The conversation");
        // Message seqs start at 1: a smaller one would read as an empty first page, not as the mistake it is.
        if (before is < 1) return Problems.BadRequest("before must be a message seq of at least 1 (a page's nextBefore).", "before");
        var grain = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId));
        var info = await grain.GetAsync(caller);
        var page = info is null ? null : await grain.GetHistoryAsync(caller, before, limit ?? 50);
        if (info is null || page is null) return Problems.NotFound("The conversation");
        return TypedResults.Ok(new ConversationWithHistory(info, await WithRatingsAsync(page.Messages, caller, conversationId, feedback, ct), page.NextBefore));
    }

    // Each answer carries the caller's own vote on it, so a page opened again shows what they already rated.
    private static async Task<IReadOnlyList<MessageInfo>> WithRatingsAsync(IReadOnlyList<MessageInfo> messages, Caller caller, string conversationId,
        IFeedbackLog feedback, CancellationToken ct)
    {
        if (!messages.Any(m => m.Role == "assistant")) return messages;
        var ratings = await feedback.RatingsAsync(caller.TenantId, caller.UserId, conversationId, messages.Min(m => m.Seq), messages.Max(m => m.Seq), ct);
        return ratings.Count == 0 ? messages : [.. messages.Select(m => ratings.TryGetValue(m.Seq, out var rating) ? m with { Rating = rating } : m)];
    }

    private static async Task<Results<Ok<ConversationInfo>, ProblemHttpResult>> Rename(
        string conversationId, RenameConversationRequest? body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId)) return Problems.NotFound("The conversation");
        var title = body?.Title?.Trim();
        if (string.IsNullOrEmpty(title)) return Problems.BadRequest("title is required: send {\"title\": \"a new title\"}.");
        if (title.Length > 200) return Problems.BadRequest("title must be at most 200 characters.");
        var info = await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId)).RenameAsync(caller, title);
        return info is null ? Problems.NotFound("The conversation") : TypedResults.Ok(info);
    }

    // The store removes what the conversation left elsewhere (moderation events, routing rows, feedback, cache
    // entries; usage anonymised) in the deletion's transaction; the deletion itself goes into the audit log.
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string conversationId, HttpContext http, IGrainFactory grains, IAuditLog audit)
    {
        var apiCaller = http.Caller();
        var caller = apiCaller.ToCaller();
        if (!Ids.IsId(conversationId)) return Problems.NotFound("The conversation");
        var deleted = await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId)).DeleteAsync(caller);
        if (!deleted) return Problems.NotFound("The conversation");
        await audit.AppendAsync(caller.TenantId, apiCaller.ToActor(http), "conversation.delete", $"conversation:{conversationId}", null, null, CancellationToken.None);
        return TypedResults.NoContent();
    }

    // The group's filters have checked the message and admitted it against the rate limits. The turn is started (or
    // found, for a retried turn id) before the stream starts, so a busy conversation is a plain 409.
    // Images are fetched and found before the turn starts, so a refused image or an unknown id is a plain 4xx; a retried
    // send of a turn the conversation knows fetches nothing: the turn goes on with the images stored the first time.
    private static async Task<IResult> Send(string conversationId, PostMessageRequest body, HttpContext http, IGrainFactory grains, IMessageImages images)
    {
        var trace = http.Features.Get<IHttpActivityFeature>()?.Activity;
        PlatformTracing.Mark(trace, "admitted");
        var caller = http.Caller().ToCaller();
        var grain = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId));
        var turnId = TurnIdOf(body, http);
        var retried = MessageImageRefs.Count(body.ImageUrls, body.ImageIds) > 0 && turnId is not null
            && await grain.GetTurnStateAsync(caller, turnId) != TurnState.Unknown;
        var (imageIds, imageProblem) = retried ? (null, null)
            : await MessageImageRefs.ResolveAsync(images, caller, body.ImageUrls, body.ImageIds, http.RequestAborted);
        if (imageProblem is not null) return imageProblem;
        // One call starts and watches the turn; its first batch says how the start went.
        var sent = new SendMessage(caller, body.Text!, turnId, ImageIds: imageIds, ImageRefs: MessageImageRefs.Digest(body.ImageUrls, body.ImageIds),
            Replaces: body.Replaces);
        var batches = grain.SendTurnAsync(sent, http.RequestAborted)
            .GetAsyncEnumerator(http.RequestAborted);
        TurnEventBatch? first;
        try
        {
            first = await batches.MoveNextAsync() ? batches.Current : null;
        }
        catch
        {
            // The silo went away (or the call failed) before the first batch: let go of the grain call now, not when
            // the request ends.
            await batches.DisposeAsync();
            throw;
        }
        PlatformTracing.Mark(trace, "first batch");
        var start = first?.Start ?? new TurnStart(TurnStartStatus.NotFound, "");
        if (start.StartedNothing)
        {
            await batches.DisposeAsync();
            if (start.Status == TurnStartStatus.NotFound) return Problems.NotFound("The conversation", TurnErrorCodes.NotFound);
            if (start.Status == TurnStartStatus.Mismatch) return Problems.IdempotencyKeyReused();
            if (start.Status == TurnStartStatus.NotLastTurn) return Problems.TurnNotLast(start.TurnId);
            var busy = Problems.Conflict($"Another answer in this conversation is still being written (turn {start.TurnId}). Wait for it to finish, then send again.");
            busy.ProblemDetails.Extensions["turnId"] = start.TurnId;
            return busy;
        }
        http.Response.Headers[TurnIdHeader] = start.TurnId;
        // A new turn answers only once its question is stored: a message that could not be saved is a 503, not a stream.
        var events = TurnEventBatches.Events(first!, batches, http.RequestAborted);
        var gone = TurnGone.Of(grain, caller, http.RequestServices.GetRequiredService<ITenantDirectory>());
        return start.Status == TurnStartStatus.Started ? await AcknowledgedTurn.StreamAsync(http, events, gone) : TurnEventStream.Create(http, events, gone);
    }

    private static async Task<IResult> Events(string conversationId, string turnId, HttpContext http, IGrainFactory grains, string? after)
    {
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId) || !Ids.IsId(turnId)) return Problems.NotFound("The turn");
        if (http.Request.Headers["Last-Event-ID"].Count > 1) return Problems.BadRequest("Send one Last-Event-ID header, not several.", "Last-Event-ID");
        var header = http.Request.Headers["Last-Event-ID"].FirstOrDefault();
        if (!string.IsNullOrEmpty(after) && !string.IsNullOrEmpty(header) && after != header)
            return Problems.BadRequest("after and the Last-Event-ID header name different events; send one of them.");
        var from = after ?? header;
        TurnEventId? position = null;
        if (!string.IsNullOrEmpty(from))
        {
            if (!TurnEventId.TryParse(from, out var parsed))
                return Problems.BadRequest("Last-Event-ID (or after) must be the id of an event of this turn, as the stream sent it.");
            position = parsed;
        }
        var grain = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId));
        var state = await grain.GetTurnStateAsync(caller, turnId);
        // A turn of a conversation deleted elsewhere is refused as a send into it is (code not_found): the client tells
        // it from a turn that has not started yet, which it may still send.
        if (state == TurnState.Unknown)
            return await grain.IsOwnedByAsync(caller) ? Problems.NotFound("The turn") : Problems.NotFound("The conversation", TurnErrorCodes.NotFound);
        var watch = grain.WatchTurnAsync(caller, turnId, position, http.RequestAborted);
        http.Response.Headers[TurnIdHeader] = turnId;
        var gone = TurnGone.Of(grain, caller, http.RequestServices.GetRequiredService<ITenantDirectory>());
        if (position is null) return TurnEventStream.Create(http, TurnEventBatches.Events(watch), gone);
        // With a position the first batch comes at once (a finished turn's rest, or a live turn's confirmation): read it
        // before the stream starts, so an id that was never sent (an ArgumentException from the grain) is a 400.
        var batches = watch.GetAsyncEnumerator(http.RequestAborted);
        try
        {
            if (!await batches.MoveNextAsync())
            {
                await batches.DisposeAsync();
                return TurnEventStream.Create(http, AsyncEnumerable.Empty<TurnEvent>());
            }
        }
        catch
        {
            await batches.DisposeAsync();
            throw;
        }
        return TurnEventStream.Create(http, TurnEventBatches.Events(batches.Current, batches, http.RequestAborted), gone);
    }

    private static async Task<Results<Ok<TurnCancelled>, Accepted<TurnCancelled>, ProblemHttpResult>> Cancel(
        string conversationId, string turnId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId) || !Ids.IsId(turnId)) return Problems.NotFound("The turn");
        var grain = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId));
        var cancel = await grain.CancelTurnAsync(caller, turnId);
        return cancel switch
        {
            { State: TurnState.Unknown } => Problems.NotFound("The turn"),
            { State: TurnState.Finished, MessageStatus: MessageStatus.Stopped } => TypedResults.Ok(new TurnCancelled(turnId, MessageStatus.Stopped)),
            { State: TurnState.Finished } => Problems.Conflict("The turn has already finished; there is nothing to stop."),
            { MessageStatus: null } => TypedResults.Accepted((string?)null, new TurnCancelled(turnId, "stopping")),
            { MessageStatus: MessageStatus.Stopped } => TypedResults.Ok(new TurnCancelled(turnId, MessageStatus.Stopped)),
            _ => Problems.Conflict($"The turn finished before it could be stopped (its answer is {cancel.MessageStatus})."),
        };
    }

    // The body's turnId, else the Idempotency-Key header: either makes a retried send the same turn.
    private static string? TurnIdOf(PostMessageRequest body, HttpContext http) =>
        body.TurnId ?? http.Request.Headers[IdempotencyKeyHeader].FirstOrDefault();

    private static IResult? CheckMessage(PostMessageRequest body, HttpContext http)
    {
        if (!Ids.IsId(http.Request.RouteValues["conversationId"] as string)) return Problems.NotFound("The conversation");
        if (string.IsNullOrWhiteSpace(body.Text)) return Problems.BadRequest("text is required: send {\"text\": \"your message\"}.", "text");
        var max = http.RequestServices.GetRequiredService<IOptions<ChatApiOptions>>().Value.MaxMessageChars;
        if (body.Text.Length > max)
            return Problems.TooLarge($"The message has {body.Text.Length:N0} characters; the limit is {max:N0}. Shorten it or split it into several messages.");
        if (MessageImageRefs.Check(body.ImageUrls, body.ImageIds, http.RequestServices.GetRequiredService<IMessageImages>()) is { } imageProblem) return imageProblem;
        if (body.TurnId is not null && !Ids.IsId(body.TurnId)) return Problems.BadRequest("turnId may use letters, digits, '.', '_', '-' and '@' (1–64 characters).", "turnId");
        if (body.Replaces is not null && !Ids.IsId(body.Replaces))
            return Problems.BadRequest("replaces must be the id of the conversation's last turn (letters, digits, '.', '_', '-' and '@', 1–64 characters).", "replaces");
        // Two keys name two turns: which one a retry meant cannot be known.
        if (IdempotencyKeyProblem(http) is { } badKey) return Problems.BadRequest(badKey, IdempotencyKeyHeader);
        var key = http.Request.Headers[IdempotencyKeyHeader].FirstOrDefault();
        if (key is not null && body.TurnId is not null && key != body.TurnId)
            return Problems.BadRequest("turnId and the Idempotency-Key header name different turns; send one of them.");
        return null;
    }
}
