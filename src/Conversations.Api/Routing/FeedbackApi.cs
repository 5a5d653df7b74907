using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Routing;
using Conversations.Storage.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Conversations.Api.Routing;

/// <summary>Thumbs up or down, with a comment, on an assistant message of the caller's own conversation; counted into canary tallies.</summary>
public static class FeedbackApi
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

    private static async Task<Results<Ok<FeedbackDto>, ProblemHttpResult>> Vote(
        string conversationId, long seq, FeedbackBody body, HttpContext http, IGrainFactory grains, NpgsqlDataSource db, CancellationToken ct)
    {
        var rating = body.Rating?.Trim().ToLowerInvariant();
        if (rating is not ("up" or "down")) return Problems.BadRequest("rating must be \"up\" or \"down\".");
        var comment = body.Comment?.Trim() ?? "";
        if (comment.Length > MaxCommentChars) return Problems.BadRequest($"comment may have at most {MaxCommentChars} characters.");
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(conversationId) || seq < 1) return Problems.NotFound("The message");

        // Ownership: the conversation grain answers only its owner.
        var page = await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId)).GetHistoryAsync(caller, seq + 1, 1);
        var message = page?.Messages.FirstOrDefault(m => m.Seq == seq);
        if (message is null) return Problems.NotFound("The message");
        if (message.Role != "assistant") return Problems.BadRequest("Only assistant messages can be rated.");

        var negative = rating == "down";
        var first = await new RoutingStore(db).UpsertFeedbackAsync(new FeedbackRecord(caller.TenantId, conversationId, seq, caller.UserId, message.TurnId, message.Model, negative, comment), ct);
        if (first && (await grains.GetGrain<IRoutingConfigGrain>(caller.TenantId).GetAsync()).Policy?.Canary is { } canary)
        {
            var arm = string.Equals(message.Model, canary.CandidateModelId, StringComparison.OrdinalIgnoreCase) ? "candidate"
                : string.Equals(message.Model, canary.BaselineModelId, StringComparison.OrdinalIgnoreCase) ? "baseline" : null;
            if (arm is not null) await grains.GetGrain<ICanaryGrain>(caller.TenantId).RecordFeedbackAsync(canary, arm, negative);
        }
        return TypedResults.Ok(new FeedbackDto(conversationId, seq, rating, comment, first));
    }
}
