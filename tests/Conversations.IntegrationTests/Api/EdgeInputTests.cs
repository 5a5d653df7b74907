using System.Net.Http.Headers;

namespace Conversations.IntegrationTests.Api;

/// <summary>
/// Input the database cannot store, ids that are too long, and clients that accept no JSON: every route of the API,
/// found in its own OpenAPI document, answers with a 4xx problem, never a 5xx or an empty body.
/// </summary>
public sealed class EdgeInputTests(PlatformFixture fx) : PlatformTests
{
    private const string Nul = "a\u0000b";

    // A JSON string that escapes half of a surrogate pair: valid JSON syntax, but no Unicode text (a C# string cannot
    // be serialized that way, so the body carries a marker that is replaced in its text).
    private const string SurrogateMarker = "unpaired-surrogate-here";
    private const string UnpairedSurrogate = "\"a\\ud800b\"";

    [Fact(DisplayName = "Every route refuses a NUL or an unpaired surrogate escape in any body string, a NUL in a query parameter, and an over-long path id, with a 400 problem naming it; a null in place of a listed object is a 4xx")]
    public async Task Every_route_refuses_unstorable_text()
    {
        var failures = new List<string>();
        var cases = 0;
        await WalkAsync("nul", async (walk, route) =>
        {
            var (path, method, operation, client, parameters) = route;
            var bodySchema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
            var body = bodySchema is null ? null : walk.Sample(bodySchema);
            // status null: any 4xx (a typed path parameter that cannot match its route is a 404).
            async Task ExpectAsync(string what, string url, JsonNode? content, string? named, HttpStatusCode? status = HttpStatusCode.BadRequest)
            {
                cases++;
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
                if (content is not null)
                    request.Content = new StringContent(content.ToJsonString().Replace($"\"{SurrogateMarker}\"", UnpairedSurrogate, StringComparison.Ordinal),
                        Encoding.UTF8, "application/json");
                using var response = await client.Http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                // The OpenAI-compatible routes answer in OpenAI's error shape ({"error": {"message", "type", "param", "code"}}).
                var problem = path.StartsWith("/v1/chat/completions", StringComparison.Ordinal) || path.StartsWith("/v1/models", StringComparison.Ordinal)
                    ? response.Content.Headers.ContentType?.MediaType == "application/json" && JsonNode.Parse(text)?["error"]?["message"] is not null
                    : response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                var code = (int)response.StatusCode;
                var statusOk = status is { } expected ? response.StatusCode == expected : code is >= 400 and < 500;
                if (!statusOk || !problem || (named is not null && !text.Contains(named, StringComparison.Ordinal)))
                    failures.Add($"{method.ToUpperInvariant()} {path} with {what}: {(int)response.StatusCode} {response.Content.Headers.ContentType} {text[..Math.Min(text.Length, 300)]}");
            }

            var defaultUrl = walk.Url(path, parameters);
            foreach (var leaf in RouteWalk.StringLeaves(body))
                await ExpectAsync($"a NUL in body field {leaf}", defaultUrl, RouteWalk.With(body!, leaf, Nul), leaf);
            foreach (var leaf in RouteWalk.StringLeaves(body))
                await ExpectAsync($"an unpaired surrogate escape in body field {leaf}", defaultUrl, RouteWalk.With(body!, leaf, SurrogateMarker), "unpaired surrogate");
            foreach (var element in RouteWalk.ObjectElements(body))
                await ExpectAsync($"null in place of {element}", defaultUrl, RouteWalk.With(body!, element, null), null, null);
            foreach (var parameter in parameters.Where(p => p["in"]!.GetValue<string>() == "query"))
            {
                var name = parameter["name"]!.GetValue<string>();
                await ExpectAsync($"a NUL in query parameter {name}", $"{defaultUrl}?{name}=a%00b", body, $"'{name}'");
            }
            foreach (var parameter in parameters.Where(p => p["in"]!.GetValue<string>() == "path"))
            {
                var name = parameter["name"]!.GetValue<string>();
                var typed = parameter["schema"]?["type"]?.ToJsonString() != "\"string\"";
                await ExpectAsync($"a 10,000-character path parameter {name}", walk.Url(path, parameters, name, new string('a', 10_000)), body,
                    typed ? null : $"'{name}'", typed ? null : HttpStatusCode.BadRequest);
            }
        });
        Assert.True(cases > 80, $"the walk covered only {cases} cases; is the OpenAPI document complete?");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact(DisplayName = "Every route that takes a body refuses one without a Content-Type with a documented 415 problem naming the types it reads")]
    public async Task Every_body_needs_its_content_type()
    {
        var failures = new List<string>();
        var cases = 0;
        await WalkAsync("ctype", async (walk, route) =>
        {
            var (path, method, operation, client, parameters) = route;
            if (operation["requestBody"]?["content"] is not JsonObject content) return;
            cases++;
            var sample = content["application/json"]?["schema"] is { } schema ? walk.Sample(schema) : null;
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), walk.Url(path, parameters))
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(sample?.ToJsonString() ?? "{}")),
            };
            using var response = await client.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            // Raw image bytes are typed by their content, so only their refusal is checked, not the listed types.
            List<string> named = content.ContainsKey("application/octet-stream") ? [] : content.Select(c => c.Key).ToList();
            var missing = named.Where(type => !text.Contains(type, StringComparison.Ordinal)).ToList();
            var documented = operation["responses"]?["415"] is not null;
            if (response.StatusCode != HttpStatusCode.UnsupportedMediaType || missing.Count > 0 || !documented)
                failures.Add($"{method.ToUpperInvariant()} {path}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}"
                    + (missing.Count > 0 ? $" (does not name {string.Join(", ", missing)})" : "") + (documented ? "" : " (415 not documented)"));
        });
        Assert.True(cases > 20, $"the walk covered only {cases} routes with a body; is the OpenAPI document complete?");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // Every operation of the API's own OpenAPI document, with the client that may call it: the operator under
    // /v1/tenants, a new tenant's admin elsewhere.
    private async Task WalkAsync(string prefix, Func<RouteWalk, RouteOperation, Task> visit)
    {
        using var admin = await fx.NewAdminAsync(prefix);
        using var op = fx.Operator();
        using var anonymous = fx.As(null);
        var document = JsonNode.Parse(await anonymous.Http.GetStringAsync("/openapi/v1.json"))!;
        var walk = new RouteWalk(document["components"]!["schemas"]!);
        foreach (var (path, operations) in document["paths"]!.AsObject())
            foreach (var (method, operation) in operations!.AsObject())
                await visit(walk, new RouteOperation(path, method, operation!, path.StartsWith("/v1/tenants", StringComparison.Ordinal) ? op : admin,
                    operation!["parameters"]?.AsArray().Select(p => p!).ToList() ?? []));
    }

    /// <summary>One operation of the document: its path, method, description, the client to call it with and its parameters.</summary>
    private sealed record RouteOperation(string Path, string Method, JsonNode Operation, ApiClient Client, List<JsonNode> Parameters);

    [Fact(DisplayName = "A NUL in a path id is refused by the HTTP server with a 400, before any route runs")]
    public async Task Nul_in_a_path_is_a_400()
    {
        using var user = await fx.NewUserAsync();
        // Kestrel refuses a decoded NUL in the path itself; the API never sees such a request, so it cannot be a 5xx.
        var response = await user.Http.GetAsync("/v1/conversations/a%00b");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact(DisplayName = "A NUL in a message is a 400 naming the field, and nothing is stored")]
    public async Task Nul_in_a_message()
    {
        var (user, id) = await fx.NewConversationAsync();
        var response = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = "hello \u0000 world" });
        var problem = await ApiClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("text", problem["field"]!.GetValue<string>());
        Assert.Contains("NUL", problem["detail"]!.GetValue<string>());
        Assert.Empty((await user.GetConversationAsync(id))["messages"]!.AsArray());
    }

    [Fact(DisplayName = "An id that ends in a newline is no id: a turn id is a 400 and nothing is stored or answered; a role or model name in the path is refused")]
    public async Task Trailing_newline_ids()
    {
        var (admin, user) = await fx.NewTenantAsync("nlid");
        var id = await user.CreateConversationAsync();
        var send = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = "hello", turnId = "abc\n" });
        var problem = await ApiClient.ProblemAsync(send, HttpStatusCode.BadRequest);
        Assert.Equal("turnId", problem["field"]?.GetValue<string>() ?? "turnId");
        Assert.Empty((await user.GetConversationAsync(id))["messages"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/v1/conversations/{id}/turns/abc%0A/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/v1/conversations/{id}%0A")).StatusCode);

        var role = await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff%0A", new { includes = Array.Empty<string>(), labels = new[] { "public" } });
        Assert.True(role.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"role: {role.StatusCode}");
        var model = await admin.Http.PutAsJsonAsync("/v1/routing/models/slow%0A", new { endpoint = "https://models.example.com/v1", modelName = "m", inputPerMillion = 1, outputPerMillion = 1, contextWindowTokens = 8000 });
        await ApiClient.ProblemAsync(model, HttpStatusCode.BadRequest);
        var acl = await admin.GetJsonAsync("/v1/acl");
        Assert.DoesNotContain("staff\n", acl.ToJsonString());
        Assert.DoesNotContain("slow\n", (await admin.GetJsonAsync("/v1/routing")).ToJsonString());
    }

    [Fact(DisplayName = "A multipart upload cut short or without a boundary is a 400 problem that says so, and no document is stored")]
    public async Task Malformed_multipart_upload()
    {
        using var admin = await fx.NewAdminAsync();
        static ByteArrayContent Multipart(string contentType, string body)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return content;
        }
        // A phone that lost its connection mid-upload: the body ends inside a part, before the closing boundary.
        using var cut = Multipart("multipart/form-data; boundary=zzz",
            "--zzz\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\nhandbook\r\n--zzz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"leave.md\"\r\n\r\nLeave is 25");
        var problem = await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/knowledge/documents", cut), HttpStatusCode.BadRequest);
        Assert.Contains("cut short", problem["detail"]!.GetValue<string>());
        using var noBoundary = Multipart("multipart/form-data", "label=handbook");
        problem = await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/knowledge/documents", noBoundary), HttpStatusCode.BadRequest);
        Assert.Contains("boundary", problem["detail"]!.GetValue<string>());
        var list = await admin.Http.GetFromJsonAsync<JsonNode>("/v1/knowledge/documents");
        Assert.Empty(list!["documents"]!.AsArray());
    }

    [Fact(DisplayName = "A NUL in an uploaded file or form field is a 400 problem, and no document is stored")]
    public async Task Nul_in_a_multipart_upload()
    {
        using var admin = await fx.NewAdminAsync();
        using var file = new MultipartFormDataContent { { new StringContent("handbook"), "label" }, { new StringContent("Leave is 25 days.\u0000"), "files", "leave.md" } };
        var problem = await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/knowledge/documents", file), HttpStatusCode.BadRequest);
        Assert.Contains("leave.md", problem["detail"]!.GetValue<string>());
        using var field = new MultipartFormDataContent { { new StringContent("hand\u0000book"), "label" }, { new StringContent("Leave is 25 days."), "files", "leave.md" } };
        problem = await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/knowledge/documents", field), HttpStatusCode.BadRequest);
        Assert.Contains("'label'", problem["detail"]!.GetValue<string>());
        var list = await admin.Http.GetFromJsonAsync<JsonNode>("/v1/knowledge/documents");
        Assert.Empty(list!["documents"]!.AsArray());
    }

    [Fact(DisplayName = "Errors are problem+json for a client that accepts only text/event-stream, and its bad JSON is no error in the log")]
    public async Task Errors_for_an_event_stream_client()
    {
        using var user = await fx.NewUserAsync();
        user.Http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var id = await user.CreateConversationAsync();

        var malformed = await user.Http.PostAsync($"/v1/conversations/{id}/messages", new StringContent("{\"text\": ", Encoding.UTF8, "application/json"));
        Assert.Contains("JSON", (await ApiClient.ProblemAsync(malformed, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        var nul = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = Nul });
        await ApiClient.ProblemAsync(nul, HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/no-such-route"), HttpStatusCode.NotFound);
        using var anonymous = fx.As(null);
        anonymous.Http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        await ApiClient.ProblemAsync(await anonymous.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = "hi" }), HttpStatusCode.Unauthorized);

        // A client's malformed JSON is logged at Debug without a stack trace: never an error with the exception.
        await Task.Delay(500); // the console logger writes from a queue
        Assert.DoesNotContain("System.Text.Json.JsonException", fx.Platform.Log);
    }

    [Fact(DisplayName = "An over-long path id gets a problem body, not the server's empty 414")]
    public async Task Long_path_id()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync();
        using var user = fx.As(userKey);
        var problem = await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/conversations/" + new string('c', 10_000)), HttpStatusCode.BadRequest);
        Assert.Contains("conversationId", problem["detail"]!.GetValue<string>());
        Assert.True(problem["detail"]!.GetValue<string>().Length < 300, "the detail does not echo the whole id");
        using var admin = fx.As(adminKey);
        await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/" + new string('r', 10_000), new { includes = Array.Empty<string>() }), HttpStatusCode.BadRequest);
    }

    /// <summary>Builds requests from the OpenAPI document: sample bodies and URLs with harmless default values.</summary>
    private sealed class RouteWalk(JsonNode schemas)
    {
        public string Url(string path, IEnumerable<JsonNode> parameters, string? name = null, string? value = null)
        {
            foreach (var p in parameters.Where(p => p["in"]!.GetValue<string>() == "path"))
            {
                var pname = p["name"]!.GetValue<string>();
                var fallback = Types(p["schema"]!).Contains("integer") ? "1" : "x1";
                path = path.Replace("{" + pname + "}", Uri.EscapeDataString(pname == name ? value! : fallback), StringComparison.Ordinal);
            }
            return path;
        }

        public JsonNode? Sample(JsonNode schema, int depth = 0)
        {
            schema = Resolve(schema);
            if (depth > 8) return null;
            var types = Types(schema);
            if (schema["properties"] is JsonObject properties)
            {
                var obj = new JsonObject();
                foreach (var (name, property) in properties) obj[name] = Sample(property!, depth + 1);
                return obj;
            }
            if (types.Contains("array")) return new JsonArray(Sample(schema["items"] ?? new JsonObject(), depth + 1));
            if (types.Contains("integer")) return 1;
            if (types.Contains("number")) return 1.5;
            if (types.Contains("boolean")) return true;
            if (types.Contains("string")) return schema["format"]?.GetValue<string>() == "date-time" ? JsonValue.Create("2026-01-01T00:00:00Z") : "ok";
            return null;
        }

        /// <summary>The JSON paths (as a client writes them: <c>documents[0].content</c>) of the plain string values.</summary>
        public static IEnumerable<string> StringLeaves(JsonNode? node, string path = "")
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, child) in obj)
                        foreach (var leaf in StringLeaves(child, path.Length == 0 ? name : $"{path}.{name}")) yield return leaf;
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                        foreach (var leaf in StringLeaves(array[i], $"{path}[{i}]")) yield return leaf;
                    break;
                case JsonValue value when value.TryGetValue<string>(out var s) && s == "ok":
                    yield return path;
                    break;
            }
        }

        /// <summary>The JSON paths of the objects that are elements of a list (<c>documents[0]</c>).</summary>
        public static IEnumerable<string> ObjectElements(JsonNode? node, string path = "")
        {
            if (node is JsonArray { Count: > 0 } array && array[0] is JsonObject) yield return $"{path}[0]";
            var children = node switch
            {
                JsonObject obj => obj.Select(p => (Path: path.Length == 0 ? p.Key : $"{path}.{p.Key}", Node: p.Value)),
                JsonArray list => list.Select((n, i) => (Path: $"{path}[{i}]", Node: n)),
                _ => [],
            };
            foreach (var (childPath, child) in children)
                foreach (var element in ObjectElements(child, childPath)) yield return element;
        }

        /// <summary>A copy of <paramref name="body"/> with the value at <paramref name="leaf"/> replaced.</summary>
        public static JsonNode With(JsonNode body, string leaf, JsonNode? value)
        {
            var copy = body.DeepClone();
            JsonNode parent = copy;
            var steps = leaf.Replace("[", ".[", StringComparison.Ordinal).Split('.');
            for (var i = 0; i < steps.Length; i++)
            {
                var last = i == steps.Length - 1;
                if (steps[i].StartsWith('['))
                {
                    var index = int.Parse(steps[i][1..^1], System.Globalization.CultureInfo.InvariantCulture);
                    if (last) parent.AsArray()[index] = value; else parent = parent.AsArray()[index]!;
                }
                else if (last) parent.AsObject()[steps[i]] = value;
                else parent = parent.AsObject()[steps[i]]!;
            }
            return copy;
        }

        private JsonNode Resolve(JsonNode schema)
        {
            for (var i = 0; i < 16; i++)
            {
                if (schema["$ref"]?.GetValue<string>() is { } reference) schema = schemas[reference.Split('/')[^1]]!;
                else if (schema["oneOf"] is JsonArray options) schema = options.First(o => !Types(o!).SequenceEqual(["null"]))!;
                else break;
            }
            return schema;
        }

        private static List<string> Types(JsonNode schema) => schema["type"] switch
        {
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
    }
}
