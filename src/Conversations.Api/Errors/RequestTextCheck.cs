using System.Globalization;

namespace Conversations.Api.Errors;

/// <summary>
/// Checks the parts of a request that no JSON converter sees, before any handler runs: query-string keys and values
/// must be storable text, and route values (path ids) must be storable and at most
/// <see cref="StorableText.MaxRouteValueLength"/> characters. Runs after routing, for every endpoint.
/// </summary>
internal static class RequestTextCheck
{
    /// <summary>Adds the check to the pipeline (after routing, before the endpoints).</summary>
    public static IApplicationBuilder UseRequestTextCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (ForeignJsonCharset(http.Request.ContentType) is { } charset)
        {
            await Problems.UnsupportedMediaType($"application/json; charset={charset}", "application/json (UTF-8)").ExecuteAsync(http);
            return;
        }
        if (Problem(http) is { } detail)
        {
            await Problems.BadRequest(detail).ExecuteAsync(http);
            return;
        }
        await next(http);
    });

    // JSON is UTF-8 (RFC 8259); a body labelled with another charset would reach the JSON reader as an encoding it
    // cannot find or should not guess, so it is refused by its label.
    private static string? ForeignJsonCharset(string? contentType)
    {
        if (contentType is null || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)) return null;
        var json = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || media.MediaType.EndsWith("-ndjson", StringComparison.OrdinalIgnoreCase);
        if (!json || !media.Charset.HasValue) return null;
        var charset = media.Charset.Value!.Trim('"');
        return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase) ? null : charset;
    }

    /// <summary>What is wrong with the request's query or route values, or null.</summary>
    public static string? Problem(HttpContext http)
    {
        foreach (var (key, values) in http.Request.Query)
        {
            if (!StorableText.IsStorable(key)) return StorableText.NulDetail("A query parameter name");
            foreach (var value in values)
                if (!StorableText.IsStorable(value)) return StorableText.NulDetail($"The query parameter '{key}'");
        }
        foreach (var (key, value) in http.Request.RouteValues)
        {
            if (value is not string text) continue;
            if (!StorableText.IsStorable(text)) return StorableText.NulDetail($"The path parameter '{key}'");
            if (text.Length > StorableText.MaxRouteValueLength)
                return string.Create(CultureInfo.InvariantCulture,
                    $"The path parameter '{key}' is {text.Length:N0} characters long; ids in paths are at most {StorableText.MaxRouteValueLength}.");
        }
        return null;
    }
}
