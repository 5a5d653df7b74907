using System.Net.Http.Headers;
using Npgsql;

namespace Conversations.IntegrationTests.Api;

/// <summary>
/// Input a route would otherwise ignore or misread (a body where settings go in the query, a misspelt field, a time in
/// another offset, a filter's wildcard) is refused with a 400 naming it, or read as meant; never a silent default.
/// </summary>
public sealed class IgnoredInputTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "A key issued or rotated with its settings in a JSON body is a 400 saying they are query parameters, and no key is made; an empty body still issues one")]
    public async Task Key_settings_in_a_body_are_refused()
    {
        var (admin, _) = await fx.NewTenantAsync("ignk");
        var inBody = await ApiClient.ProblemAsync(
            await admin.Http.PostAsJsonAsync("/v1/users/alice/keys", new { expiresInDays = 30, scope = "read-only" }), HttpStatusCode.BadRequest);
        Assert.Contains("expiresInDays and scope are query parameters", inBody["detail"]!.GetValue<string>());
        Assert.Single((await admin.GetJsonAsync("/v1/users/alice/keys"))["keys"]!.AsArray()); // only the fixture's key

        using var empty = new StringContent("", Encoding.UTF8, "application/json");
        var issued = await admin.Http.PostAsync("/v1/users/alice/keys?scope=read-only", empty);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var keyId = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["keyId"]!.GetValue<string>();
        var rotate = await ApiClient.ProblemAsync(await admin.Http.PostAsJsonAsync($"/v1/keys/{keyId}/rotate", new { overlapMinutes = 0 }), HttpStatusCode.BadRequest);
        Assert.Contains("overlapMinutes is a query parameter", rotate["detail"]!.GetValue<string>());
        Assert.Equal(2, (await admin.GetJsonAsync("/v1/users/alice/keys"))["keys"]!.AsArray().Count);
        // "{}" is an empty body too (some clients always send one).
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync($"/v1/keys/{keyId}/rotate?overlapMinutes=0", new { }), HttpStatusCode.Created);
    }

    [Fact(DisplayName = "A misspelt field is refused on the export, chat, search, feedback and batch bodies (an export for 'user' would have exported the whole tenant); nothing starts")]
    public async Task Misspelt_fields_are_refused()
    {
        var c = await fx.NewConversationAsync("ignf");
        var export = await ApiClient.ProblemAsync(await c.Admin.Http.PostAsJsonAsync("/v1/exports", new { user = "alice" }), HttpStatusCode.BadRequest);
        Assert.Contains("did you mean 'userId'", export["detail"]!.GetValue<string>());

        var message = await ApiClient.ProblemAsync(
            await c.User.Http.PostAsJsonAsync($"/v1/conversations/{c.Id}/messages", new { text = "hi", imageUrl = "https://example.com/a.png" }), HttpStatusCode.BadRequest);
        Assert.Equal("imageUrl", message["field"]!.GetValue<string>());
        Assert.Contains("did you mean 'imageUrls'", message["detail"]!.GetValue<string>());
        Assert.Empty(await c.User.MessagesAsync(c.Id));
        var batch = await ApiClient.ProblemAsync(
            await c.User.Http.PostAsJsonAsync("/v1/batches", new { modelId = "m", prompts = new[] { "a" }, maxTokens = 100 }), HttpStatusCode.BadRequest);
        Assert.Contains("'maxTokens' is not a field this body takes", batch["detail"]!.GetValue<string>());
        Assert.Contains("maxOutputTokens", batch["detail"]!.GetValue<string>()); // among the fields it lists
        await ApiClient.ProblemAsync(await c.User.Http.PostAsJsonAsync("/v1/knowledge/search", new { question = "q", top_k = 3 }), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "A batch with no prompts, a blank prompt or an output limit of 0 is a 400 naming the field, and does not spend the caller's request limit")]
    public async Task Bad_batches_are_refused_before_the_rate_limit()
    {
        var (admin, user) = await fx.NewTenantAsync("ignb");
        await admin.PatchModerationAsync(new { userRequestsPerMinute = 2 });
        var fields = new List<string>();
        foreach (var body in new object[]
        {
            new { modelId = "m", prompts = Array.Empty<string>() },
            new { modelId = "m", prompts = new[] { "fine", " " } },
            new { modelId = "m", prompts = new[] { "fine" }, maxOutputTokens = 0 },
        })
            fields.Add((await ApiClient.ProblemAsync(await user.Http.PostAsJsonAsync("/v1/batches", body), HttpStatusCode.BadRequest))["field"]!.GetValue<string>());
        Assert.Equal(["prompts", "prompts[1]", "maxOutputTokens"], fields);
        // Three refusals spent nothing of the 2 a minute: the next request is still admitted (404: no such model).
        var admitted = await user.Http.PostAsJsonAsync("/v1/batches", new { modelId = "m", prompts = new[] { "fine" } });
        Assert.NotEqual(HttpStatusCode.TooManyRequests, admitted.StatusCode);
    }

    [Fact(DisplayName = "Times with a non-UTC offset are read as the instants they name on usage, feedback and moderation lists; a default window ending near year 1 is no 400")]
    public async Task Offset_times_are_read_as_instants()
    {
        var (admin, _) = await fx.NewTenantAsync("igno");
        var from = Uri.EscapeDataString("2026-01-01T00:00:00-05:00");
        var to = Uri.EscapeDataString("2026-02-01T00:00:00+02:00");
        foreach (var path in new[]
        {
            $"/v1/usage?from={from}&to={to}", $"/v1/feedback?since={from}&until={to}", $"/v1/feedback/summary?since={from}&until={to}",
            $"/v1/moderation/events?since={from}&until={to}", "/v1/audit/counts?until=0001-01-10T00:00:00Z", "/v1/feedback/summary?until=0001-01-10T00:00:00Z",
        })
        {
            var res = await admin.Http.GetAsync(path);
            Assert.True(res.StatusCode == HttpStatusCode.OK, $"{path}: {res.StatusCode} {await res.Content.ReadAsStringAsync()}");
        }
    }

    [Fact(DisplayName = "History's before=0 is a 400, not an empty first page; two Last-Event-ID headers are a 400; a cancel with a body is a 400; an audit action filter's % and _ are letters")]
    public async Task Odd_positions_and_filters()
    {
        var c = await fx.NewConversationAsync("ignp");
        Assert.Equal("before", (await ApiClient.ProblemAsync(await c.User.Http.GetAsync($"/v1/conversations/{c.Id}?before=0"), HttpStatusCode.BadRequest))["field"]!.GetValue<string>());
        var events = await c.User.SendAsync(c.Id, "What is the leave policy?");
        var turnId = events.Done()["turnId"]!.GetValue<string>();
        using var twice = new HttpRequestMessage(HttpMethod.Get, $"/v1/conversations/{c.Id}/turns/{turnId}/events");
        twice.Headers.TryAddWithoutValidation("Last-Event-ID", ["1.0.0", "2.0.0"]);
        await ApiClient.ProblemAsync(await c.User.Http.SendAsync(twice), HttpStatusCode.BadRequest);
        var cancel = await ApiClient.ProblemAsync(await c.User.Http.PostAsJsonAsync($"/v1/conversations/{c.Id}/turns/{turnId}/cancel", new { reason = "x" }), HttpStatusCode.BadRequest);
        Assert.Contains("takes no body", cancel["detail"]!.GetValue<string>());

        await ApiClient.EnsureAsync(await c.Admin.Http.PostAsync("/v1/users/alice/keys", null), HttpStatusCode.Created);
        Assert.NotEmpty((await c.Admin.GetJsonAsync("/v1/audit?action=key"))["entries"]!.AsArray());
        // As LIKE patterns both would match key.* entries.
        Assert.Empty((await c.Admin.GetJsonAsync("/v1/audit?action=%25"))["entries"]!.AsArray());
        Assert.Empty((await c.Admin.GetJsonAsync("/v1/audit?action=ke_"))["entries"]!.AsArray());
    }

    [Fact(DisplayName = "A concise-answer instruction over 2,000 characters is a 400 and the setting is kept as it was")]
    public async Task Long_concise_instruction_is_refused()
    {
        var (admin, _) = await fx.NewTenantAsync("ignc");
        var before = (await admin.GetJsonAsync("/v1/tenant/settings"))["conciseInstruction"]!.GetValue<string>();
        var problem = await ApiClient.ProblemAsync(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { conciseInstruction = new string('x', 2001) }), HttpStatusCode.BadRequest);
        Assert.Contains("at most 2,000 characters", problem["detail"]!.GetValue<string>());
        Assert.Equal(before, (await admin.GetJsonAsync("/v1/tenant/settings"))["conciseInstruction"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A tenant whose label ids are used up gets a 409 saying so for a new label, not a 500; its existing labels still work")]
    public async Task Label_limit_is_a_conflict()
    {
        var (admin, _) = await fx.NewTenantAsync("ignl");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        var tenantId = (await admin.GetJsonAsync("/v1/me"))["tenantId"]!.GetValue<string>();
        await using (var db = new NpgsqlConnection(fx.Database.ConnectionString))
        {
            await db.OpenAsync();
            // The highest id a label can have is taken: the next label has none left.
            await using var cmd = new NpgsqlCommand("INSERT INTO kb_labels (tenant_id, label_id, name) VALUES (@t, 32767, 'last')", db);
            cmd.Parameters.AddWithValue("t", tenantId);
            await cmd.ExecuteNonQueryAsync();
        }
        var full = await ApiClient.ProblemAsync(
            await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public", "brand-new" } }), HttpStatusCode.Conflict);
        Assert.Contains("label 'brand-new' cannot be added", full["detail"]!.GetValue<string>());
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public", "last" } }), HttpStatusCode.OK);
    }

    [Fact(DisplayName = "A signed image link for a tenant that does not exist is the same 404 as a bad signature, and makes no data key for it")]
    public async Task Image_link_for_an_unknown_tenant()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(fx.BaseUrl) };
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        foreach (var tenant in new[] { "made-up-tenant", "Upper.Case" })
        {
            var res = await anonymous.GetAsync($"/v1/image-links/{tenant}/img1?expires={expires}&sig={new string('a', 64)}");
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        }
        await using var db = new NpgsqlConnection(fx.Database.ConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM tenant_data_keys WHERE tenant_id IN ('made-up-tenant', 'Upper.Case')", db);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact(DisplayName = "Saving the routing policy with If-Match of an old version is a 412 naming the current one, and the policy is kept; the current version saves")]
    public async Task Stale_policy_save_is_refused()
    {
        var (admin, _) = await fx.NewTenantAsync("igni");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1",
            new { endpoint = "https://models.example.com/v1", modelName = "m1", tier = "small", inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000 }), HttpStatusCode.OK);
        var version = (await admin.GetJsonAsync("/v1/routing"))["version"]!.GetValue<long>();
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "m1", largeModelId = "m1" }), HttpStatusCode.OK);

        using var stale = new HttpRequestMessage(HttpMethod.Put, "/v1/routing/policy") { Content = JsonContent.Create(new { smallModelId = "m1", largeModelId = "m1", monthlyBudgetUsd = 5 }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        var refused = await ApiClient.ProblemAsync(await admin.Http.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        Assert.Equal(version + 1, refused["version"]!.GetValue<long>());
        Assert.Null((await admin.GetJsonAsync("/v1/routing"))["policy"]!["monthlyBudgetUsd"]);

        using var fresh = new HttpRequestMessage(HttpMethod.Put, "/v1/routing/policy") { Content = JsonContent.Create(new { smallModelId = "m1", largeModelId = "m1", monthlyBudgetUsd = 5 }) };
        fresh.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version + 1}\""));
        await ApiClient.EnsureAsync(await admin.Http.SendAsync(fresh), HttpStatusCode.OK);
    }
}
