using System.ComponentModel.DataAnnotations;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Feedback;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Feedback;

/// <summary>
/// Thumbs up or down, with a comment, on an assistant message of the caller's own conversation (counted into canary
/// tallies); the tenant admin pages through the tenant's votes.
/// </summary>
internal static class FeedbackApi
{
    /// <summary>Longest comment in characters.</summary>
    public const int MaxCommentChars = 2000;

    /// <summary>Maps the routes under <c>/v1/conversations</c> and <c>/v1/feedback</c>.</summary>
    public static RouteGroupBuilder MapFeedbackApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/conversations").WithTags("Feedback").RequireRoles(Roles.User, Roles.TenantAdmin);
        group.MapPost("/{conversationId}/messages/{seq:long}/feedback", Vote).WithName("SendFeedback")
            .WithSummary("Rates an assistant message \"up\" or \"down\" with an optional comment; a second vote replaces the first.");
        v1.MapGet("/feedback", List).WithTags("Feedback").RequireRoles(Roles.TenantAdmin).WithName("ListFeedback")
            .WithSummary("The tenant's votes, newest first, with the up and down counts of all that match. Filters: rating, userId, model, since, until, commented.");
        v1.MapGet("/feedback/summary", Summary).WithTags("Feedback").RequireRoles(Roles.TenantAdmin).WithName("FeedbackSummary")
            .WithSummary("Votes per period (period=day|week|month), model and route (how the answer was served), with the latest thumbs-down comments, personal data masked. since/until default to the last 30 days.");
        return v1;
    }

    private static async Task<Results<Ok<IReadOnlyList<FeedbackSummaryEntry>>, ProblemHttpResult>> Summary(
        HttpContext http, IFeedbackLog log, string? period, DateTimeOffset? since, DateTimeOffset? until, CancellationToken ct)
    {
        period ??= "day";
        if (period is not ("day" or "week" or "month")) return Problems.BadRequest("period must be \"day\", \"week\" or \"month\".");
        var to = until ?? DateTimeOffset.UtcNow.AddMinutes(1);
        var from = since ?? Problems.DaysBefore(to, 30);
        if (Problems.Window(from, to, equalIsEmpty: true) is { } window) return window;
        if (to - from > TimeSpan.FromDays(400)) return Problems.BadRequest("since and until may be at most 400 days apart.");
        return TypedResults.Ok(await log.SummaryAsync(http.Caller().TenantId!, period, from, to, ct));
    }

    private static async Task<Results<Ok<FeedbackPage>, ProblemHttpResult>> List(
        HttpContext http, IFeedbackLog log, string? rating, string? userId, string? model, DateTimeOffset? since, DateTimeOffset? until,
        bool? commented, string? cursor, [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit, CancellationToken ct)
    {
        if (rating is not (null or "up" or "down")) return Problems.BadRequest("rating must be \"up\" or \"down\".");
        if (Problems.Window(since, until) is { } window) return window;
        if (userId is not null && !Ids.IsId(userId)) return Problems.BadRequest("userId is not a valid user id.");
        FeedbackCursor? after = null;
        if (!string.IsNullOrEmpty(cursor) && (after = FeedbackCursors.Parse(cursor)) is null)
            return Problems.InvalidCursor();
        var page = await log.ListAsync(http.Caller().TenantId!, new FeedbackFilter
        {
            Negative = rating is null ? null : rating == "down", UserId = userId, Model = model, Since = since, Until = until,
            WithComment = commented == true, After = after, Limit = limit ?? 50,
        }, ct);
        var votes = page.Entries.Select(e => new FeedbackEntryDto(e.ConversationId, e.Seq, e.UserId, e.TurnId, e.Model,
            e.Negative ? "down" : "up", e.Comment, e.CreatedAt, e.UpdatedAt)).ToList();
        return TypedResults.Ok(new FeedbackPage(votes, page.Next is { } next ? FeedbackCursors.Format(next) : null, page.Up, page.Down));
    }

    // The feedback grain checks ownership, stores the vote and counts it on the canary arm of the message's model.
    private static async Task<Results<Ok<FeedbackDto>, ProblemHttpResult>> Vote(
        string conversationId, long seq, FeedbackBody body, HttpContext http, IGrainFactory grains)
    {
        var rating = body.Rating?.Trim().ToLowerInvariant();
        if (rating is not ("up" or "down")) return Problems.BadRequest("rating must be \"up\" or \"down\".");
        var comment = body.Comment?.Trim() ?? "";
        if (comment.Length > MaxCommentChars) return Problems.BadRequest($"comment may have at most {MaxCommentChars} characters.");
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId) || seq < 1) return Problems.NotFound("The message");

        var outcome = await grains.GetGrain<IFeedbackGrain>(caller.TenantId)
            .RateAsync(caller, new FeedbackVote(conversationId, seq, rating == "down", comment));
        return outcome switch
        {
            FeedbackOutcome.MessageNotFound => Problems.NotFound("The message"),
            FeedbackOutcome.NotAnAnswer => Problems.BadRequest("Only assistant messages can be rated."),
            _ => TypedResults.Ok(new FeedbackDto(conversationId, seq, rating, comment, outcome == FeedbackOutcome.FirstVote)),
        };
    }
}
