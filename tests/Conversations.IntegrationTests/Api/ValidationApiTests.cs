using System.Net.Http.Headers;

namespace Conversations.IntegrationTests.Api;

/// <summary>Request bodies are validated as a whole: one 400 names every bad field by its JSON name.</summary>
public sealed class ValidationApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "Model registration: credentials in the endpoint URL are refused (the key goes in apiKey), messages carry no .NET parameter names, and deleting a model the policy uses says to change the policy first; a made-up conversation cursor is the invalid-cursor 400")]
    public async Task Model_and_cursor_messages()
    {
        var (admin, user) = await fx.NewTenantAsync("valm");
        object Model(string endpoint) => new { endpoint, modelName = "m1", tier = "small", inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000 };
        var withUser = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", Model("https://user:secret@models.example.com/v1")), HttpStatusCode.BadRequest);
        Assert.Contains("apiKey", withUser["detail"]!.GetValue<string>());
        Assert.DoesNotContain("secret", withUser.ToJsonString());
        var ftp = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", Model("ftp://models.example.com/v1")), HttpStatusCode.BadRequest);
        Assert.DoesNotContain("(Parameter", ftp["detail"]!.GetValue<string>());

        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", Model("https://models.example.com/v1")), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "m1", largeModelId = "m1" }), HttpStatusCode.OK);
        var inUse = await ApiClient.ProblemAsync(await admin.Http.DeleteAsync("/v1/routing/models/m1"), HttpStatusCode.BadRequest);
        Assert.Contains("still used by the routing policy (as its small model)", inUse["detail"]!.GetValue<string>());
        Assert.DoesNotContain("not in the model catalog", inUse["detail"]!.GetValue<string>());

        foreach (var cursor in new[] { "-1|x", "99999999999999999999|x", "3155378976000000000|x", "5|bad id!" })
        {
            var bad = await ApiClient.ProblemAsync(await user.Http.GetAsync($"/v1/conversations?cursor={Uri.EscapeDataString(cursor)}"), HttpStatusCode.BadRequest);
            Assert.Contains("nextCursor", bad["detail"]!.GetValue<string>());
        }
    }

    [Fact(DisplayName = "A model's price past 1,000,000 USD a million tokens is a 400 naming the field and its range, also when the number is too large for the server's number type")]
    public async Task Model_price_range()
    {
        var (admin, _) = await fx.NewTenantAsync("valp");
        var high = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1",
            new { endpoint = "https://models.example.com/v1", modelName = "m1", inputPerMillion = 0.1, outputPerMillion = 2e6, contextWindowTokens = 8000 }), HttpStatusCode.BadRequest);
        Assert.Equal(["outputPerMillion"], high["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("outputPerMillion must be a number from 0 to 1,000,000", high["detail"]!.GetValue<string>());
        // 1e30 is past what the price's type holds: still the field and its range, not a type error.
        using var huge = new StringContent("""{"endpoint":"https://models.example.com/v1","modelName":"m1","inputPerMillion":1e30,"outputPerMillion":1,"contextWindowTokens":8000}""",
            Encoding.UTF8, "application/json");
        var past = await ApiClient.ProblemAsync(await admin.Http.PutAsync("/v1/routing/models/m1", huge), HttpStatusCode.BadRequest);
        Assert.Equal("inputPerMillion", past["field"]!.GetValue<string>());
        Assert.StartsWith("inputPerMillion must be a number from 0 to 1,000,000", past["detail"]!.GetValue<string>());
        Assert.DoesNotContain("type", past["detail"]!.GetValue<string>());
        Assert.Empty((await admin.GetJsonAsync("/v1/routing"))["models"]!.AsArray());
    }

    [Fact(DisplayName = "The model catalog is bounded: an over-long model name, too many domains or fallbacks, and a rollback reason over 1,000 characters are 400s, and nothing is stored")]
    public async Task Catalog_and_reason_sizes_are_bounded()
    {
        var (admin, _) = await fx.NewTenantAsync("valb");
        object Model(string modelName, string[]? domains = null) =>
            new { endpoint = "https://models.example.com/v1", modelName, tier = "small", domains = domains ?? [], inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000 };
        var longName = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", Model(new string('m', 201))), HttpStatusCode.BadRequest);
        Assert.Contains("modelName must be at most 200 characters", longName["detail"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1",
            Model("m1", [.. Enumerable.Range(0, 51).Select(i => $"d{i}")])), HttpStatusCode.BadRequest);
        Assert.Empty((await admin.GetJsonAsync("/v1/routing"))["models"]!.AsArray());

        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", Model("m1")), HttpStatusCode.OK);
        var fallbacks = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy",
            new { smallModelId = "m1", largeModelId = "m1", fallbackModelIds = Enumerable.Repeat("m1", 51).ToArray() }), HttpStatusCode.BadRequest);
        Assert.Contains("at most 50 entries", fallbacks["detail"]!.GetValue<string>());
        var reason = await ApiClient.ProblemAsync(await admin.Http.PostAsJsonAsync("/v1/routing/canary/rollback", new { reason = new string('r', 1001) }), HttpStatusCode.BadRequest);
        Assert.Contains("reason must be at most 1,000 characters", reason.ToJsonString());
    }

    [Fact(DisplayName = "A field an admin body does not take is a 400 naming it and the closest real field, nested ones too; nothing changes. A model missing several fields gets one 400 naming each")]
    public async Task Unknown_admin_fields_are_refused()
    {
        var (admin, _) = await fx.NewTenantAsync("valu");
        var before = await admin.Http.GetStringAsync("/v1/tenant/settings");
        var typo = await ApiClient.ProblemAsync(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { summaryThreshold = -1 }), HttpStatusCode.BadRequest);
        Assert.Equal("summaryThreshold", typo["field"]!.GetValue<string>());
        Assert.Contains("did you mean 'summaryThresholdTokens'", typo["detail"]!.GetValue<string>());
        Assert.DoesNotContain("TenantSettingsPatch", typo.ToJsonString());
        Assert.Equal(before, await admin.Http.GetStringAsync("/v1/tenant/settings"));
        await ApiClient.ProblemAsync(await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { userRequestsPerMinutes = 5 }), HttpStatusCode.BadRequest);

        var missing = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", new { endpoint = "https://models.example.com/v1", tier = "small" }), HttpStatusCode.BadRequest);
        Assert.Equal(["contextWindowTokens", "inputPerMillion", "modelName", "outputPerMillion"], missing["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1",
            new { endpoint = "https://models.example.com/v1", modelName = "m1", tier = "small", inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000 }), HttpStatusCode.OK);
        var nested = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy",
            new { smallModelId = "m1", largeModelId = "m1", canary = new { candidateModelId = "m1", baselineModelId = "m1", shares = 0.5 } }), HttpStatusCode.BadRequest);
        Assert.Equal("canary.shares", nested["field"]!.GetValue<string>());
        Assert.Contains("'share'", nested["detail"]!.GetValue<string>());
        Assert.Null((await admin.GetJsonAsync("/v1/routing"))["policy"]);
    }

    [Fact(DisplayName = "Several bad fields give one 400 whose errors name each field as the client wrote it")]
    public async Task Every_bad_field_at_once()
    {
        using var admin = await fx.NewAdminAsync("val");
        var response = await admin.Http.PostAsJsonAsync("/v1/users", new { userId = "no spaces allowed", displayName = new string('d', 201), role = "boss" });
        var text = await response.Content.ReadAsStringAsync();
        var problem = await ApiClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["displayName", "role", "userId"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("tenant_admin", errors["role"]![0]!.GetValue<string>());
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains("userId", detail);
        Assert.Contains("displayName", detail);
        Assert.DoesNotContain("CreateUserRequest", text);
        // Nothing was created.
        Assert.DoesNotContain("no spaces allowed", await admin.Http.GetStringAsync("/v1/users"));
    }

    [Fact(DisplayName = "A missing required field and a malformed one are reported together; the same body made valid is accepted")]
    public async Task Required_and_pattern_together()
    {
        using var op = fx.Operator();
        var problem = await ApiClient.ProblemAsync(await op.Http.PostAsJsonAsync("/v1/tenants", new { adminUserId = "bad admin" }), HttpStatusCode.BadRequest);
        Assert.Equal(["adminUserId", "tenantId"], problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("tenantId is required", problem["detail"]!.GetValue<string>());
        // A value that is there but malformed is not called missing.
        var malformed = await ApiClient.ProblemAsync(await op.Http.PostAsJsonAsync("/v1/tenants", new { tenantId = "Bad Id!!" }), HttpStatusCode.BadRequest);
        Assert.Contains("tenantId must be", malformed["detail"]!.GetValue<string>());
        var tenant = TestIds.Tenant("val");
        var ok = await op.Http.PostAsJsonAsync("/v1/tenants", new { tenantId = tenant, adminUserId = "boss" });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact(DisplayName = "A query parameter the route does not take is a 400 naming it and the ones it takes; a limit out of range is a 400 on every list; the OpenAI routes let a client's own parameters through")]
    public async Task Query_parameters_are_checked()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("val");
        using var admin = fx.As(adminKey);
        using var user = fx.As(userKey);
        var misspelt = await ApiClient.ProblemAsync(await admin.Http.GetAsync("/v1/usage?since=2026-01-01T00:00:00Z"), HttpStatusCode.BadRequest);
        var detail = misspelt["detail"]!.GetValue<string>();
        Assert.Contains("'since'", detail);
        Assert.Contains("from", detail);
        Assert.Contains("to", detail);
        // The name a route takes, in any case, is accepted; another name is not, whatever its case.
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/v1/usage?From=2026-01-01T00:00:00Z")).StatusCode);
        var cursorNotBefore = await ApiClient.ProblemAsync(await admin.Http.GetAsync("/v1/moderation/events?before=5"), HttpStatusCode.BadRequest);
        Assert.Contains("cursor", cursorNotBefore["detail"]!.GetValue<string>());
        // A path's own id repeated in the query is not taken from there either.
        var conversation = await user.CreateConversationAsync();
        var routeName = await ApiClient.ProblemAsync(await user.Http.GetAsync($"/v1/conversations/{conversation}?conversationId=x"), HttpStatusCode.BadRequest);
        Assert.DoesNotContain("conversationId,", routeName["detail"]!.GetValue<string>());
        Assert.Contains("takes no query parameters", (await ApiClient.ProblemAsync(await admin.Http.GetAsync("/v1/me?verbose=1"), HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());

        foreach (var list in new[] { "/v1/conversations", $"/v1/conversations/{conversation}", "/v1/knowledge/documents", "/v1/users", "/v1/feedback", "/v1/moderation/events", "/v1/routing/events", "/v1/audit", "/v1/evaluations/runs" })
        {
            var client = list.StartsWith("/v1/conversations", StringComparison.Ordinal) ? user : admin;
            var problem = await ApiClient.ProblemAsync(await client.Http.GetAsync($"{list}?limit=-1"), HttpStatusCode.BadRequest);
            Assert.Contains("limit must be between 1 and", problem["detail"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"{list}?limit=1")).StatusCode);
        }
        // A window that ends before it starts is a 400 on every filtered list, as on the counts (not an empty page).
        foreach (var window in new[] { "/v1/feedback?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z", "/v1/moderation/events?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z",
            "/v1/audit?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z", "/v1/routing/events?since=2030-01-01T00:00:00Z&before=2020-01-01T00:00:00Z" })
            Assert.Contains("since must be before", (await ApiClient.ProblemAsync(await admin.Http.GetAsync(window), HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        // An Azure OpenAI client adds api-version to every call: the compatible routes take it.
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/v1/models?api-version=2024-10-21")).StatusCode);

        // A parameter sent twice, and a filter value longer than anything the platform makes, name the parameter.
        var twice = await ApiClient.ProblemAsync(await admin.Http.GetAsync("/v1/audit?limit=5&limit=6"), HttpStatusCode.BadRequest);
        Assert.Equal("limit", twice["field"]!.GetValue<string>());
        Assert.Contains("2 times", twice["detail"]!.GetValue<string>());
        foreach (var filter in new[] { "/v1/routing/events?kind=", "/v1/evaluations/runs?setId=", "/v1/moderation/events?userId=" })
        {
            var problem = await ApiClient.ProblemAsync(await admin.Http.GetAsync(filter + new string('k', 300)), HttpStatusCode.BadRequest);
            Assert.Contains("at most 256 characters", problem["detail"]!.GetValue<string>());
        }
        using var op = fx.Operator();
        Assert.Contains("at most 200 characters", (await ApiClient.ProblemAsync(await op.Http.GetAsync("/v1/tenants?q=" + new string('q', 201)), HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        // A cursor no page gave is refused, not read as "from the start".
        foreach (var (client, list) in new[] { (admin, "/v1/users"), (op, "/v1/tenants"), (admin, "/v1/knowledge/documents") })
        {
            var problem = await ApiClient.ProblemAsync(await client.Http.GetAsync($"{list}?cursor=%E2%9C%93%20not%20an%20id"), HttpStatusCode.BadRequest);
            Assert.Equal("cursor", problem["field"]!.GetValue<string>());
        }
        // ASP.NET Core's own answers use the same problem type scheme as the platform's.
        var unmatched = await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/no-such-route"), HttpStatusCode.NotFound);
        Assert.Equal("https://httpstatuses.io/404", unmatched["type"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Bodies of the wrong shape say what the route takes without .NET type names; a field sent twice, a search's topK out of range, an empty export user and an empty model name are refused")]
    public async Task Body_shapes_are_named()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("val");
        using var admin = fx.As(adminKey);
        using var user = fx.As(userKey);
        static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
        foreach (var route in new[] { "/v1/knowledge/search", "/v1/chat/completions", "/v1/batches" })
        {
            var response = await user.Http.PostAsync(route, Json("[]"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("JSON object", text);
            Assert.DoesNotContain("Conversations.", text);
        }
        var prompts = await ApiClient.ProblemAsync(await user.Http.PostAsync("/v1/batches", Json("{\"modelId\":\"small\",\"prompts\":\"hi\"}")), HttpStatusCode.BadRequest);
        Assert.Contains("'prompts' must be an array of JSON strings", prompts["detail"]!.GetValue<string>());
        var twice = await ApiClient.ProblemAsync(await user.Http.PostAsync("/v1/batches", Json("{\"modelId\":\"small\",\"prompts\":[\"a\"],\"prompts\":[\"b\"]}")), HttpStatusCode.BadRequest);
        Assert.Equal("prompts", twice["field"]!.GetValue<string>());
        foreach (var topK in new[] { -1, 0, 51 })
        {
            var problem = await ApiClient.ProblemAsync(await user.Http.PostAsJsonAsync("/v1/knowledge/search", new { question = "leave", topK }), HttpStatusCode.BadRequest);
            Assert.Equal("topK", problem["field"]!.GetValue<string>());
        }
        Assert.Equal("userId", (await ApiClient.ProblemAsync(await admin.Http.PostAsJsonAsync("/v1/exports", new { userId = "" }), HttpStatusCode.BadRequest))["field"]!.GetValue<string>());
        var model = await user.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "", messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
        Assert.Contains("model_not_found", await model.Content.ReadAsStringAsync());
    }

    [Fact(DisplayName = "A body string with bytes that are not UTF-8 is a 400 that says so, naming the field; an unpaired surrogate escape keeps its own message")]
    public async Task Invalid_utf8_is_named()
    {
        var (_, userKey) = await fx.NewTenantKeysAsync("val");
        using var user = fx.As(userKey);
        var conversation = await user.CreateConversationAsync();
        byte[] latin = [.. "{\"text\": \"caf"u8, 0xE9, .. "\"}"u8];
        var problem = await ApiClient.ProblemAsync(await user.Http.PostAsync($"/v1/conversations/{conversation}/messages",
            new ByteArrayContent(latin) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } }), HttpStatusCode.BadRequest);
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains("not UTF-8", detail);
        Assert.Contains("text", detail);
        Assert.DoesNotContain("surrogate", detail);
        var escape = await ApiClient.ProblemAsync(await user.Http.PostAsync($"/v1/conversations/{conversation}/messages",
            new StringContent("{\"text\": \"a\\ud800b\"}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("surrogate", escape["detail"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A number sent as a string is a 400 naming the field, not the .NET type; a range is checked")]
    public async Task Numbers_are_numbers()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("val");
        using var user = fx.As(userKey);
        var asString = await user.Http.PostAsync("/v1/knowledge/search", new StringContent("{\"question\": \"leave?\", \"topK\": \"5\"}", Encoding.UTF8, "application/json"));
        var text = await asString.Content.ReadAsStringAsync();
        var problem = await ApiClient.ProblemAsync(asString, HttpStatusCode.BadRequest);
        Assert.Contains("'topK'", problem["detail"]!.GetValue<string>());
        Assert.DoesNotContain("Conversations.", text);
        Assert.DoesNotContain("SearchRequest", text);
        using var admin = fx.As(adminKey);
        var range = await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/users/alice/keys?expiresInDays=0", null), HttpStatusCode.BadRequest);
        Assert.NotNull(range["errors"]!["expiresInDays"]);
        // An empty POST of any content type still issues a key that never expires.
        var plain = await admin.Http.PostAsync("/v1/users/alice/keys", new StringContent(""));
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);

        // A number past its type's range, in a body or a query, says what the field takes, in words.
        var huge = await ApiClient.ProblemAsync(await admin.Http.PatchAsync("/v1/tenant/settings",
            new StringContent("{\"contextBudgetTokens\": 999999999999}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("'contextBudgetTokens' must be a whole number", huge["detail"]!.GetValue<string>());
        var query = await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/users/alice/keys?expiresInDays=1.5", null), HttpStatusCode.BadRequest);
        var detail = query["detail"]!.GetValue<string>();
        Assert.Contains("'expiresInDays' must be a whole number", detail);
        Assert.DoesNotContain("Nullable", detail);
        // A query parameter with a declared range says that range, not its type's.
        foreach (var sent in new[] { "1e2", "99999999999" })
        {
            var ranged = await ApiClient.ProblemAsync(await admin.Http.PostAsync($"/v1/users/alice/keys?expiresInDays={sent}", null), HttpStatusCode.BadRequest);
            Assert.Equal($"The parameter 'expiresInDays' must be a whole number from 1 to 3,650; \"{sent}\" is not.", ranged["detail"]!.GetValue<string>());
        }
    }

    [Fact(DisplayName = "A JSON body labelled with a charset other than UTF-8 is a 415 problem, on the native and the OpenAI-compatible routes alike")]
    public async Task Json_is_utf8()
    {
        using var user = await fx.NewUserAsync("val");
        foreach (var charset in new[] { "bogus", "utf-7", "iso-8859-1" })
        {
            var native = await user.Http.PostAsync("/v1/conversations", new StringContent("{\"title\":\"x\"}", new MediaTypeHeaderValue("application/json") { CharSet = charset }));
            Assert.Contains("UTF-8", (await ApiClient.ProblemAsync(native, HttpStatusCode.UnsupportedMediaType))["detail"]!.GetValue<string>());
            var openAi = await user.Http.PostAsync("/v1/chat/completions",
                new StringContent("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", new MediaTypeHeaderValue("application/json") { CharSet = charset }));
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, openAi.StatusCode);
        }
        var utf8 = await user.Http.PostAsync("/v1/conversations", new StringContent("{\"title\":\"x\"}", new MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" }));
        Assert.Equal(HttpStatusCode.Created, utf8.StatusCode);
    }
}
