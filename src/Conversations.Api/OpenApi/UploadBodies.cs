using Conversations.Api.Knowledge;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Conversations.Api.OpenApi;

/// <summary>The two bodies of the document upload (JSON and multipart) and its two answers (JSON summary, NDJSON progress).</summary>
internal static class UploadBodies
{
    /// <summary>Operation transformer for the upload route.</summary>
    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Document is not { } document) return;
        var json = await Component(context, document, typeof(UploadRequest), ct);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "JSON with the documents, or multipart/form-data with text/Markdown files and the label they get.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = json },
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "label", "files" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["label"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The label every file of the upload gets (decides who may read it)." },
                            ["files"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Array,
                                Description = "Text or Markdown files (.txt, .md, .markdown, .text); the id comes from the file name, the title from the first '# ' heading.",
                                Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                            },
                        },
                    },
                },
            },
        };
        operation.Responses ??= [];
        if (!operation.Responses.TryGetValue("200", out var ok) || ok is not OpenApiResponse response)
            operation.Responses["200"] = response = new OpenApiResponse();
        response.Description = "What the upload did per document; with 'Accept: application/x-ndjson', progress lines as it goes.";
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        response.Content["application/json"] = new OpenApiMediaType { Schema = await Component(context, document, typeof(UploadSummary), ct) };
        response.Content["application/x-ndjson"] = new OpenApiMediaType { Schema = await Component(context, document, typeof(Conversations.Contracts.Knowledge.IngestionProgress), ct) };
    }

    private static async Task<IOpenApiSchema> Component(OpenApiOperationTransformerContext context, OpenApiDocument document, Type type, CancellationToken ct)
    {
        if (document.Components?.Schemas?.ContainsKey(type.Name) != true)
            document.AddComponent(type.Name, await context.GetOrCreateSchemaAsync(type, null, ct));
        return new OpenApiSchemaReference(type.Name, document);
    }
}
