namespace Conversations.Api.Errors;

/// <summary>Body checks as a route-group policy.</summary>
internal static class BodyChecks
{
    /// <summary>
    /// Checks every <typeparamref name="TBody"/> of the group with <paramref name="check"/> (a problem, or null when the
    /// body is usable) before the filters added after this one run: bad input gets its 4xx and is never counted
    /// against a rate limit.
    /// </summary>
    public static RouteGroupBuilder CheckBodies<TBody>(this RouteGroupBuilder group, Func<TBody, HttpContext, IResult?> check) where TBody : class =>
        group.AddEndpointFilter(new BodyCheckFilter<TBody>(check));
}

/// <summary>Answers with the check's problem when a request's <typeparamref name="TBody"/> is not usable; other requests pass.</summary>
internal sealed class BodyCheckFilter<TBody>(Func<TBody, HttpContext, IResult?> check) : IEndpointFilter where TBody : class
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.Arguments.OfType<TBody>().FirstOrDefault() is { } body && check(body, context.HttpContext) is { } problem
            ? problem
            : await next(context);
}
