using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Moderation;
using Conversations.Moderation.Messages;

namespace Conversations.Api.Moderation;

/// <summary>Admits a chat request before its stream starts: one call to the user's rate-limit grain, which asks the tenant's.</summary>
public static class RateLimitGate
{
    /// <summary>Null when the request may go on; otherwise a 429 problem with <c>Retry-After</c> and a friendly message in the question's language.</summary>
    public static async Task<IResult?> CheckAsync(IGrainFactory grains, Caller caller, string question)
    {
        var decision = await grains.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(caller.TenantId, caller.UserId)).TryAdmitAsync();
        return decision.Allowed ? null : new TooManyRequestsResult(decision, question);
    }

    /// <summary>429 with the Retry-After header and a problem body: what happened, which limit, when to retry.</summary>
    public sealed class TooManyRequestsResult(RateLimitDecision decision, string question) : IResult
    {
        /// <inheritdoc />
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var message = RefusalMessages.For(RefusalClass.RateLimited, question, Guid.NewGuid().ToString("n"));
            var which = decision.Limit == RateLimitDecision.TokensLimit ? "tokens a minute" : "requests a minute";
            var whose = decision.Scope == RateLimitDecision.TenantScope ? "your organisation's" : "your";
            return TypedResults.Problem(
                detail: message.Text,
                statusCode: StatusCodes.Status429TooManyRequests,
                title: $"Too many requests: {whose} limit of {which} is reached",
                type: "https://httpstatuses.io/429",
                extensions: new Dictionary<string, object?>
                {
                    ["code"] = "rate_limited",
                    ["scope"] = decision.Scope,
                    ["limit"] = decision.Limit,
                    ["retryAfterSeconds"] = decision.RetryAfterSeconds,
                }).ExecuteAsync(http);
        }
    }
}
