using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Template;

namespace Conversations.Api.Errors;

/// <summary>
/// What a problem the server raised on its own (an unknown route, a wrong method or content type, a body too large or
/// too slow) tells the caller to do, for the native problem-details writer and the OpenAI-shaped one alike.
/// </summary>
internal static class StatusDetails
{
    /// <summary>What any other problem without a detail says.</summary>
    public const string Fallback = "The request could not be processed; see /openapi/v1.json for the API.";

    /// <summary>The sentence for a problem of <paramref name="status"/> the server raised without a detail; null for other statuses.</summary>
    public static string? For(HttpContext http, int? status)
    {
        // A path is echoed shortened: an over-long one would otherwise fill the whole answer.
        var path = http.Request.Path.Value ?? "";
        if (path.Length > 200) path = path[..200] + "…";
        return status switch
        {
            404 => $"No route matches {http.Request.Method} {path}. The API lives under /v1; see /openapi/v1.json.",
            405 => $"{http.Request.Method} is not supported on {path}; see /openapi/v1.json.",
            // Kestrel gives up on a body that arrives slower than its minimum data rate (a bad mobile network).
            408 => "The request arrived too slowly, so the server stopped waiting for it. Check your connection and send it again.",
            413 => "The request body is larger than this server accepts. Send less text at a time.",
            415 => UnsupportedType(http),
            _ => null,
        };
    }

    // Routing refused the body's type before any endpoint ran: the types the route reads come from its endpoints.
    private static string UnsupportedType(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var accepted = http.RequestServices.GetService<EndpointDataSource>()?.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase) != false
                && new TemplateMatcher(new RouteTemplate(e.RoutePattern), []).TryMatch(path, []))
            .SelectMany(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [])
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return accepted is { Length: > 0 }
            ? Problems.UnsupportedMediaTypeDetail(http.Request.ContentType, accepted)
            : Problems.UnsupportedMediaTypeDetail(http.Request.ContentType, "application/json");
    }
}
