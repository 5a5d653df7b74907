using Conversations.Api.OpenAi;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Conversations.Api.OpenApi;

/// <summary>Endpoint metadata: a route of the OpenAI-compatible front door (its errors are OpenAI's error object).</summary>
/// <param name="Streams">The route answers <c>stream: true</c> with <c>chat.completion.chunk</c> events.</param>
internal sealed record OpenAiRouteMetadata(bool Streams);

/// <summary>
/// Describes the OpenAI-compatible routes as they answer: errors as OpenAI's <c>{"error": {message, type, param, code}}</c>
/// in <c>application/json</c> (what OpenAI's SDKs parse), not problem details, and a streamed completion as Server-Sent
/// Events of <c>chat.completion.chunk</c> ending with <c>data: [DONE]</c>.
/// </summary>
internal static class OpenAiResponses
{
    /// <summary>Declares the route's answers: <paramref name="errors"/> as OpenAI error objects, and the chunk stream when it streams.</summary>
    public static RouteHandlerBuilder ProducesOpenAiAnswers(this RouteHandlerBuilder builder, bool streams, params int[] errors)
    {
        foreach (var status in errors) builder.Produces<OpenAiErrorBody>(status, "application/json");
        return builder.WithMetadata(new OpenAiRouteMetadata(streams));
    }

    /// <summary>Operation transformer for endpoints with <see cref="OpenAiRouteMetadata"/>.</summary>
    public static async Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<OpenAiRouteMetadata>().LastOrDefault() is not { } route
            || context.Document is not { } document) return;
        foreach (var (status, response) in operation.Responses ?? [])
            if (status[0] is '4' or '5' && response is OpenApiResponse error)
                error.Description = $"An OpenAI error object; error.code says which ({Meaning(status)}).";
        if (!route.Streams || operation.Responses?.TryGetValue("200", out var ok) != true || ok is not OpenApiResponse answer) return;
        const string chunk = nameof(ChatCompletionChunk);
        if (document.Components?.Schemas?.ContainsKey(chunk) != true)
            document.AddComponent(chunk, await context.GetOrCreateSchemaAsync(typeof(ChatCompletionChunk), null, ct));
        answer.Description = "The completion: a chat.completion object, or with stream: true a stream of chat.completion.chunk events.";
        answer.Content ??= new Dictionary<string, OpenApiMediaType>();
        answer.Content["text/event-stream"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "One Server-Sent Event: its 'data:' line is a chat.completion.chunk (the last one carries usage and no choices "
                    + "when stream_options.include_usage is set); the stream ends with 'data: [DONE]'. A failure after the first chunk is "
                    + "a last event whose data is an OpenAI error object.",
                Required = new HashSet<string> { "data" },
                Properties = new Dictionary<string, IOpenApiSchema> { ["data"] = new OpenApiSchemaReference(chunk, document) },
            },
        };
    }

    private static string Meaning(string status) => status switch
    {
        "400" => "the request is not valid; param names the field",
        "401" => "no valid API key",
        "403" => "the key may not call this route",
        "404" => "model_not_found or conversation_not_found",
        "409" => "turn_in_progress: the conversation is answering another turn",
        "410" => "the tenant's data key was destroyed",
        "413" => "the message or body is too large",
        "415" => "the body is not application/json",
        "422" => "idempotency_key_reused: the key came with another message",
        "429" => "a rate limit or the budget (insufficient_quota); see Retry-After",
        "500" => "a failure on the server's side",
        "503" => "a part of the platform is unavailable; retry later",
        _ => "see the message",
    };
}
