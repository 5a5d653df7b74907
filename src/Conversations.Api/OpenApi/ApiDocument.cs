using Conversations.Api.Errors;

namespace Conversations.Api.OpenApi;

/// <summary>The OpenAPI document at <see cref="Path"/>, built from the routes' own metadata so later routes are described too.</summary>
internal static class ApiDocument
{
    /// <summary>Where the document is served.</summary>
    public const string Path = "/openapi/v1.json";

    /// <summary>Registers the document and its transformers.</summary>
    public static IServiceCollection AddApiDocument(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.DescribeStringsAsStrings();
        o.AddDocumentTransformer(DocumentInfo.ApplyAsync);
        o.AddSchemaTransformer(SchemaRules.ApplyAsync);
        o.AddOperationTransformer(BearerSecurity.ApplyAsync);
        o.AddOperationTransformer(ProblemResponses.ApplyAsync);
        o.AddOperationTransformer(EventStreams.ApplyAsync);
        o.AddOperationTransformer(OpenAiResponses.ApplyAsync);
    });
}
