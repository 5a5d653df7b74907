using Conversations.Api.OpenAi;
using Conversations.Contracts.Chat;
using Microsoft.AspNetCore.Http;

namespace Conversations.IntegrationTests.Unit;

/// <summary>What the OpenAI route tells an SDK about a turn's error: whether resending the same request can help.</summary>
public sealed class OpenAiTurnErrorTests
{
    [Fact(DisplayName = "A failed turn's 503 asks for a retry (Retry-After) when live, but not when it is the stored end of a turn replayed under its Idempotency-Key: that one says to use a new key")]
    public void A_replayed_failure_asks_for_no_retry_under_the_same_key()
    {
        var failed = new ErrorEvent("model_failed", "The model could not answer. Please try again in a moment.", true);

        var live = new DefaultHttpContext();
        var first = TurnErrors.Problem(live, failed);
        Assert.Equal(503, first.StatusCode);
        Assert.Equal("1", live.Response.Headers.RetryAfter.ToString());
        Assert.DoesNotContain("new key", first.ProblemDetails.Detail, StringComparison.Ordinal);

        var again = new DefaultHttpContext();
        var replayed = TurnErrors.Problem(again, failed, replayed: true);
        Assert.Equal(503, replayed.StatusCode);
        Assert.Empty(again.Response.Headers.RetryAfter.ToString());
        Assert.EndsWith(TurnErrors.ReplayedFailure, replayed.ProblemDetails.Detail, StringComparison.Ordinal);

        // A refusal replayed is the same refusal: nothing to add, and never a retry.
        var refused = new DefaultHttpContext();
        var budget = TurnErrors.Problem(refused, new ErrorEvent("budget_exhausted", "The monthly budget is spent.", false), replayed: true);
        Assert.Equal(429, budget.StatusCode);
        Assert.Equal("The monthly budget is spent.", budget.ProblemDetails.Detail);
        Assert.Empty(refused.Response.Headers.RetryAfter.ToString());
    }
}
