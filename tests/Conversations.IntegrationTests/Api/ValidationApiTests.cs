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
    }
}
