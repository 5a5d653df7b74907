using System.Net.Http.Headers;

namespace Conversations.IntegrationTests.Api;

/// <summary>Request bodies are validated as a whole: one 400 names every bad field by its JSON name.</summary>
public sealed class ValidationApiTests(PlatformFixture fx) : PlatformTests
{
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
