using System.Text;

namespace Conversations.Api.Errors;

/// <summary>
/// Refuses a body on a route that takes none. Such a route reads its settings from the query string, so a JSON body
/// with those settings would otherwise be ignored without a word: a key meant to expire in 30 days would never expire.
/// </summary>
internal static class NoBodyCheck
{
    /// <summary>Answers 400 when the request carries a body other than nothing, whitespace, <c>{}</c> or <c>null</c>.</summary>
    /// <param name="builder">The route.</param>
    /// <param name="hint">Where the settings go instead, e.g. "expiresInDays and scope are query parameters: …".</param>
    public static RouteHandlerBuilder RefusesBody(this RouteHandlerBuilder builder, string? hint = null) =>
        builder.AddEndpointFilter(new NoBodyFilter(hint));
}

/// <summary>Peeks at a body the route never reads: empty forms pass, anything else is refused.</summary>
internal sealed class NoBodyFilter(string? hint) : IEndpointFilter
{
    // Enough to tell an empty object from one with a field; a longer body is refused unread.
    private const int PeekBytes = 64;

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
            return await next(context);
        var buffer = new byte[PeekBytes + 1];
        var read = 0;
        while (read < buffer.Length && await request.Body.ReadAsync(buffer.AsMemory(read), context.HttpContext.RequestAborted) is > 0 and var n)
            read += n;
        var text = read > PeekBytes ? null : Encoding.UTF8.GetString(buffer, 0, read).Trim();
        if (text is "" or "{}" or "null") return await next(context);
        return Problems.BadRequest("This request takes no body" + (hint is null ? "; send it empty." : $": {hint}"), "body");
    }
}
