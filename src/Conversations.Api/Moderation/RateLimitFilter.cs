using Conversations.Api.Auth;
using Conversations.Contracts;
using Conversations.Contracts.Moderation;
using Conversations.Moderation.Messages;

namespace Conversations.Api.Moderation;

/// <summary>Rate limits as a route-group policy.</summary>
internal static class RateLimits
{
    /// <summary>
    /// Counts every request of the group that carries a <typeparamref name="TBody"/> against the caller's limits (per
    /// user and per tenant) before its handler runs; <paramref name="question"/> picks the text whose language the
    /// refusal speaks. The group's other routes are not limited.
    /// </summary>
    public static RouteGroupBuilder RequireRateLimit<TBody>(this RouteGroupBuilder group, Func<TBody, string> question) where TBody : class
    {
        // The routes that take the body can answer 429: say so in their response metadata (and so in the document).
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<System.Reflection.MethodInfo>().Any(m => m.GetParameters().Any(p => p.ParameterType == typeof(TBody)))
                && !endpoint.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().Any(p => p.StatusCode == StatusCodes.Status429TooManyRequests))
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        });
        return group.AddEndpointFilter(new RateLimitFilter<TBody>(question));
    }
}

/// <summary>Admits a request before its stream starts: one call to the user's rate-limit grain, which asks the tenant's.</summary>
internal sealed class RateLimitFilter<TBody>(Func<TBody, string> question) : IEndpointFilter where TBody : class
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<TBody>().FirstOrDefault() is not { } body) return await next(context);
        var http = context.HttpContext;
        var caller = http.Caller().ToCaller();
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var decision = await grains.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(caller.TenantId, caller.UserId)).TryAdmitAsync();
        return decision.Allowed ? await next(context) : new TooManyRequestsResult(decision, question(body));
    }
}

/// <summary>429 with the Retry-After header and a problem body: what happened, which limit, when to retry, in the question's language.</summary>
internal sealed class TooManyRequestsResult(RateLimitDecision decision, string question) : IResult
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
