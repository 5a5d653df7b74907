using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Feedback;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Feedback;

/// <summary>Thumbs up or down, with a comment, on an assistant message of the caller's own conversation; counted into canary tallies.</summary>
internal static class FeedbackApi
{
    /// <summary>Longest comment in characters.</summary>
    public const int MaxCommentChars = 2000;

    /// <summary>Maps the route under <c>/v1/conversations</c>.</summary>
    public static RouteGroupBuilder MapFeedbackApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/conversations").WithTags("Feedback").RequireRoles(Roles.User, Roles.TenantAdmin);
        group.MapPost("/{conversationId}/messages/{seq:long}/feedback", Vote).WithName("SendFeedback")
            .WithSummary("Rates an assistant message \"up\" or \"down\" with an optional comment; a second vote replaces the first.");
        return v1;
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
