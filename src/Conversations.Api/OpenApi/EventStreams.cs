using System.Text.Json.Nodes;
using Conversations.Contracts.Chat;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Conversations.Api.OpenApi;

/// <summary>Endpoint metadata: the route answers with a Server-Sent Events stream of these named events.</summary>
/// <param name="Events">Each SSE <c>event:</c> name and the type of the JSON in its <c>data:</c>.</param>
internal sealed record EventStreamMetadata(IReadOnlyList<(string Name, Type Data)> Events);

/// <summary>
/// Describes Server-Sent Events streams in the document: each event type is a component schema, and the
/// <c>text/event-stream</c> response is one of the messages <c>{event, id, data}</c>, one per event name, so a
/// generated client knows every event and its payload.
/// </summary>
internal static class EventStreams
{
    /// <summary>The events of a chat turn, by SSE event name, in the order a turn sends them.</summary>
    public static readonly IReadOnlyList<(string Name, Type Data)> ChatEvents =
    [
        ("progress", typeof(ProgressEvent)),
        ("delta", typeof(DeltaEvent)),
        ("citation", typeof(CitationEvent)),
        ("done", typeof(DoneEvent)),
        ("error", typeof(ErrorEvent)),
    ];

    /// <summary>Declares a 200 <c>text/event-stream</c> answer with a chat turn's events.</summary>
    public static RouteHandlerBuilder ProducesChatEvents(this RouteHandlerBuilder builder) =>
        builder.Produces(StatusCodes.Status200OK, contentType: "text/event-stream").WithMetadata(new EventStreamMetadata(ChatEvents));

    /// <summary>Operation transformer for endpoints with <see cref="EventStreamMetadata"/>.</summary>
    public static async Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<EventStreamMetadata>().LastOrDefault() is not { } stream
            || context.Document is not { } document) return;
        var messages = new List<IOpenApiSchema>();
        foreach (var (name, data) in stream.Events)
        {
            var dataName = data.Name;
            if (document.Components?.Schemas?.ContainsKey(dataName) != true)
                document.AddComponent(dataName, await context.GetOrCreateSchemaAsync(data, null, ct));
            var messageName = $"{dataName}Message";
            if (document.Components?.Schemas?.ContainsKey(messageName) != true)
                document.AddComponent(messageName, new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = $"One Server-Sent Event 'event: {name}'; its 'data:' line is the JSON of {dataName}.",
                    Required = new HashSet<string> { "event", "data" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["event"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(name)] },
                        ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The event's id (resume with Last-Event-ID), where the stream sends one." },
                        ["data"] = new OpenApiSchemaReference(dataName, document),
                    },
                });
            messages.Add(new OpenApiSchemaReference(messageName, document));
        }
        operation.Responses ??= [];
        if (!operation.Responses.TryGetValue("200", out var ok) || ok is not OpenApiResponse response)
            operation.Responses["200"] = response = new OpenApiResponse();
        response.Description = "A Server-Sent Events stream; each event is one of: " + string.Join(", ", stream.Events.Select(e => e.Name)) + ".";
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        response.Content["text/event-stream"] = new OpenApiMediaType { Schema = new OpenApiSchema { OneOf = messages } };
    }
}
