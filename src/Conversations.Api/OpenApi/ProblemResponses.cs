using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;

namespace Conversations.Api.OpenApi;

/// <summary>
/// Declares the problem-details answers every route can give, as response metadata of its endpoint, so the document
/// (and any client generated from it) knows them: 400, 401/403 behind a policy, 404 with a path id, 413 and 415 with a body,
/// 500 and 503. What a route declares itself (409, 429, or another error shape) is kept.
/// </summary>
internal static class ProblemResponses
{
    /// <summary>The media type of every problem answer.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>Adds the problem responses to every endpoint of <paramref name="builder"/>, after its own conventions ran.</summary>
    public static TBuilder WithProblemResponses<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();
            void Add(int status, Type type)
            {
                if (declared.Add(status)) metadata.Add(new ProducesResponseTypeMetadata(status, type, [ContentType]));
            }
            var body = metadata.OfType<IAcceptsMetadata>().Any();
            Add(StatusCodes.Status400BadRequest, body ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails));
            if (BearerSecurity.IsSecured(metadata))
            {
                Add(StatusCodes.Status401Unauthorized, typeof(ProblemDetails));
                Add(StatusCodes.Status403Forbidden, typeof(ProblemDetails));
            }
            if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 }) Add(StatusCodes.Status404NotFound, typeof(ProblemDetails));
            if (body)
            {
                Add(StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails));
                Add(StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails));
            }
            Add(StatusCodes.Status500InternalServerError, typeof(ProblemDetails));
            Add(StatusCodes.Status503ServiceUnavailable, typeof(ProblemDetails));
        });
        return builder;
    }

    /// <summary>Operation transformer: a problem response says what it means, not only its status code.</summary>
    public static Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse concrete || concrete.Content?.ContainsKey(ContentType) != true) continue;
            concrete.Description = status switch
            {
                "400" => "The request is not valid: the problem's detail (and errors, per field) say what to change.",
                "401" => "No valid API key was sent.",
                "403" => "The key's role may not call this operation.",
                "404" => "Not found, or not visible to the caller.",
                "409" => "The resource exists already or is busy.",
                "413" => "The body or message is larger than this server accepts.",
                "415" => "The body's Content-Type is missing or not one this operation reads (see its request body).",
                "429" => "A rate limit was reached; retry after the Retry-After header's seconds.",
                "500" => "Something failed on the server's side.",
                "503" => "A part of the platform is unavailable; retry later.",
                _ => concrete.Description,
            };
        }
        return Task.CompletedTask;
    }
}
