using Microsoft.OpenApi;

namespace Conversations.IntegrationTests.Api;

/// <summary>
/// Lints the live <c>/openapi/v1.json</c> of a running platform the way a client generator reads it: security, error
/// responses, exact types, optional fields, enums, the event stream and the upload bodies, and a client driven only by
/// the document sends a message and reads its events.
/// </summary>
public sealed class OpenApiDocumentTests(PlatformFixture fx) : PlatformTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    private async Task<(string Text, JsonNode Document)> DocumentAsync()
    {
        using var anonymous = fx.As(null);
        var text = await anonymous.Http.GetStringAsync("/openapi/v1.json");
        return (text, JsonNode.Parse(text)!);
    }

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from op in path.Value!.AsObject()
        where Methods.Contains(op.Key)
        select (path.Key, op.Key, op.Value!);

    [Fact(DisplayName = "The document parses with zero errors in Microsoft.OpenApi's reader and passes its default validation rules")]
    public async Task Document_parses_and_validates()
    {
        var (text, _) = await DocumentAsync();
        var (document, diagnostic) = OpenApiDocument.Parse(text, "json");
        Assert.NotNull(document);
        Assert.True(diagnostic!.Errors.Count == 0, string.Join("\n", diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        var errors = document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Contains(document.Paths, p => p.Key == "/v1/conversations/{conversationId}/messages");
    }

    [Fact(DisplayName = "Lint: a bearer scheme is defined, every operation requires it and has 4xx problem responses, 404 with a path id, 413 and 415 with a body")]
    public async Task Security_and_error_responses()
    {
        var (_, document) = await DocumentAsync();
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        var failures = new List<string>();
        var operations = Operations(document).ToList();
        Assert.True(operations.Count > 40, $"only {operations.Count} operations");
        foreach (var (path, method, op) in operations)
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            // Every operation of the document is behind a key: the anonymous routes (/healthz, /readyz, the page) are not in it.
            if (op["security"]?.AsArray().Any(r => r!.AsObject().ContainsKey("Bearer")) != true) failures.Add($"{where}: no Bearer requirement");
            var responses = op["responses"]!.AsObject();
            foreach (var code in new[] { "400", "401", "403", "500", "503" })
                if (!responses.ContainsKey(code)) failures.Add($"{where}: no {code}");
            if (path.Contains('{') && !responses.ContainsKey("404")) failures.Add($"{where}: a path id but no 404");
            if (op["requestBody"] is not null && !responses.ContainsKey("413")) failures.Add($"{where}: a body but no 413");
            if (op["requestBody"] is not null && !responses.ContainsKey("415")) failures.Add($"{where}: a body but no 415");
            // The OpenAI-compatible routes answer errors as OpenAI does (its SDKs parse that shape), every other route as problem details.
            var openAi = op["tags"]?.AsArray().Any(t => t!.GetValue<string>() == "OpenAI-compatible") == true;
            foreach (var (code, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                if (openAi ? response!["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>().EndsWith("/OpenAiErrorBody", StringComparison.Ordinal) != true
                    : response!["content"]?["application/problem+json"]?["schema"]?["$ref"] is null)
                    failures.Add($"{where}: {code} is not {(openAi ? "an OpenAI error object" : "problem+json")}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var send = document["paths"]!["/v1/conversations/{conversationId}/messages"]!["post"]!["responses"]!.AsObject();
        Assert.True(send.ContainsKey("429") && send.ContainsKey("409"), "the send route documents its rate limit and its busy conversation");
        Assert.True(document["paths"]!["/v1/tenants"]!["post"]!["responses"]!.AsObject().ContainsKey("409"));
        // The completion documents both of its answers and the errors its README names.
        var completion = document["paths"]!["/v1/chat/completions"]!["post"]!["responses"]!.AsObject();
        Assert.EndsWith("/ChatCompletion", completion["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.EndsWith("/ChatCompletionChunk", completion["200"]!["content"]!["text/event-stream"]!["schema"]!["properties"]!["data"]!["$ref"]!.GetValue<string>());
        Assert.All(new[] { "404", "409", "410", "422", "429" }, code => Assert.True(completion.ContainsKey(code), $"no {code} on the completion"));
    }

    [Fact(DisplayName = "Lint: no number|string unions, nullable fields are optional (turnId), enums for message status, role and rating")]
    public async Task Exact_types_optional_fields_and_enums()
    {
        var (_, document) = await DocumentAsync();
        var unions = new List<string>();
        void Walk(JsonNode? node, string at)
        {
            if (node is JsonObject obj)
            {
                if (obj["type"] is JsonArray types)
                {
                    var names = types.Select(t => t!.GetValue<string>()).ToList();
                    if (names.Contains("string") && (names.Contains("number") || names.Contains("integer"))) unions.Add(at);
                }
                foreach (var (key, child) in obj) Walk(child, $"{at}/{key}");
            }
            else if (node is JsonArray array)
                for (var i = 0; i < array.Count; i++) Walk(array[i], $"{at}/{i}");
        }
        Walk(document, "#");
        Assert.True(unions.Count == 0, "number|string unions at:\n" + string.Join("\n", unions));

        var schemas = document["components"]!["schemas"]!;
        var required = schemas["PostMessageRequest"]!["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToList() ?? [];
        Assert.DoesNotContain("turnId", required);
        // A nullable answer field is optional too; a field that is always there stays required.
        var message = schemas["MessageInfo"]!;
        var messageRequired = message["required"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.DoesNotContain("model", messageRequired);
        Assert.Contains("seq", messageRequired);
        Assert.Equal("integer", message["properties"]!["seq"]!["type"]!.GetValue<string>());

        static List<string> Enum(JsonNode schema, string property) =>
            schema["properties"]![property]!["enum"]?.AsArray().Select(v => v!.GetValue<string>()).ToList() ?? [];
        Assert.Superset(new HashSet<string> { "complete", "interrupted", "incomplete", "failed", "refused", "stopped" }, Enum(message, "status").ToHashSet());
        Assert.Equal(["user", "assistant"], Enum(message, "role"));
        Assert.Equal(["up", "down"], Enum(schemas["FeedbackBody"]!, "rating"));
        Assert.Equal(["user", "tenant_admin"], Enum(schemas["CreateUserRequest"]!, "role"));
        Assert.Contains("unchanged", Enum(schemas["DocumentIngestResult"]!, "status"));
    }

    [Fact(DisplayName = "The send route documents its event stream: progress, delta, citation, done and error, each with its data schema")]
    public async Task Send_route_documents_its_events()
    {
        var (_, document) = await DocumentAsync();
        var stream = document["paths"]!["/v1/conversations/{conversationId}/messages"]!["post"]!["responses"]!["200"]!["content"]!["text/event-stream"]!["schema"]!;
        var events = EventSchemas(document, stream);
        Assert.Equal(["progress", "delta", "citation", "done", "error"], events.Keys);
        var schemas = document["components"]!["schemas"]!;
        Assert.NotNull(schemas["DeltaEvent"]!["properties"]!["text"]);
        Assert.NotNull(schemas["DoneEvent"]!["properties"]!["usage"]);
        Assert.Equal("integer", schemas["CitationEvent"]!["properties"]!["chunkIndex"]!["type"]!.GetValue<string>());
    }

    [Fact(DisplayName = "The upload route documents its JSON body and its multipart body with files and a label")]
    public async Task Upload_route_documents_both_bodies()
    {
        var (_, document) = await DocumentAsync();
        var content = document["paths"]!["/v1/knowledge/documents"]!["post"]!["requestBody"]!["content"]!;
        Assert.EndsWith("/UploadRequest", content["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        var form = content["multipart/form-data"]!["schema"]!;
        Assert.Equal("binary", form["properties"]!["files"]!["items"]!["format"]!.GetValue<string>());
        Assert.Equal("string", form["properties"]!["label"]!["type"]!.GetValue<string>());
        var answers = document["paths"]!["/v1/knowledge/documents"]!["post"]!["responses"]!["200"]!["content"]!.AsObject();
        Assert.True(answers.ContainsKey("application/json") && answers.ContainsKey("application/x-ndjson"));
    }

    [Fact(DisplayName = "A client driven only by the document sends a message and every event it reads matches a documented event schema")]
    public async Task Client_from_the_document_sends_and_reads_events()
    {
        var (_, document) = await DocumentAsync();
        var operations = Operations(document).ToDictionary(o => o.Operation["operationId"]!.GetValue<string>());
        var schemas = document["components"]!["schemas"]!;
        using var user = await fx.NewUserAsync("oas");
        user.Http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");

        var create = operations["CreateConversation"];
        var created = await user.Http.PostAsJsonAsync(create.Path, new { title = "from the document" });
        var conversation = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        AssertMatches(schemas, Ref(create.Operation["responses"]![((int)created.StatusCode).ToString()]!["content"]!["application/json"]!["schema"]!), conversation, "conversation");

        var send = operations["SendMessage"];
        var body = Ref(send.Operation["requestBody"]!["content"]!["application/json"]!["schema"]!);
        Assert.NotNull(schemas[body]!["properties"]!["text"]);
        var url = send.Path.Replace("{conversationId}", conversation["conversationId"]!.GetValue<string>(), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { text = "What is the leave policy?" }) };
        using var response = await user.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var media = response.Content.Headers.ContentType!.MediaType!;
        var documented = EventSchemas(document, send.Operation["responses"]!["200"]!["content"]![media]!["schema"]!);
        var events = await ApiClient.ReadEventsAsync(await response.Content.ReadAsStreamAsync());
        Assert.NotEmpty(events);
        foreach (var e in events)
        {
            Assert.True(documented.TryGetValue(e.Name, out var dataSchema), $"event '{e.Name}' is not documented");
            AssertMatches(schemas, dataSchema!, e.Data, e.Name);
        }
        Assert.Contains(events, e => e.Name is "done" or "error");
    }

    // Event name → its data schema name, from the documented oneOf of {event, id, data} messages.
    private static Dictionary<string, string> EventSchemas(JsonNode document, JsonNode stream)
    {
        var schemas = document["components"]!["schemas"]!;
        var events = new Dictionary<string, string>();
        foreach (var option in stream["oneOf"]!.AsArray())
        {
            var message = schemas[Ref(option!)]!;
            var name = message["properties"]!["event"]!["enum"]![0]!.GetValue<string>();
            events[name] = Ref(message["properties"]!["data"]!);
        }
        return events;
    }

    private static string Ref(JsonNode schema) => schema["$ref"]!.GetValue<string>().Split('/')[^1];

    // The instance has every required property of the schema, and each present property's JSON type is allowed.
    private static void AssertMatches(JsonNode schemas, string schemaName, JsonNode instance, string what)
    {
        var schema = schemas[schemaName]!;
        foreach (var name in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
            Assert.True(instance[name] is not null, $"{what}: required '{name}' of {schemaName} is missing in {instance.ToJsonString()}");
        foreach (var (name, value) in instance.AsObject())
        {
            var property = schema["properties"]?[name];
            Assert.True(property is not null, $"{what}: '{name}' is not in {schemaName}");
            if (property!["type"] is not { } type || value is null) continue;
            var allowed = type is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            var actual = value.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.String => "string",
                System.Text.Json.JsonValueKind.Number => value.ToJsonString().Contains('.') || value.ToJsonString().Contains('e') ? "number" : "integer",
                System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "boolean",
                System.Text.Json.JsonValueKind.Array => "array",
                _ => "object",
            };
            Assert.True(allowed.Contains(actual) || (actual == "integer" && allowed.Contains("number")),
                $"{what}: '{name}' is {actual}, the document says {type.ToJsonString()}");
            if (property["enum"] is JsonArray values && actual == "string")
                Assert.Contains(value.GetValue<string>(), values.Select(v => v!.GetValue<string>()));
        }
    }
}
