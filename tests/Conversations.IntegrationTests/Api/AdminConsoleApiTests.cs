namespace Conversations.IntegrationTests.Api;

/// <summary>
/// The reads an admin console needs beside the settings routes: the operator's tenant list, the caller's profile, the
/// tenant's feedback and the filtered routing event log; each stays inside the caller's tenant.
/// </summary>
public sealed class AdminConsoleApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "The operator lists tenants by id with user counts, filters by id or name, and pages with the cursor; tenant keys get 403")]
    public async Task Operator_lists_tenants()
    {
        var marker = TestIds.Tenant("lst");
        using var op = fx.Operator();
        var adminKeys = new List<string>();
        foreach (var suffix in new[] { "a", "b", "c" })
        {
            var res = await op.Http.PostAsJsonAsync("/v1/tenants", new { tenantId = $"{marker}-{suffix}", name = $"Shop {suffix.ToUpperInvariant()}" });
            await ApiClient.EnsureAsync(res, HttpStatusCode.Created);
            adminKeys.Add((await res.Content.ReadFromJsonAsync<JsonNode>())!["adminKey"]!.GetValue<string>());
        }
        using var adminOfB = fx.As(adminKeys[1]);
        await adminOfB.CreateUserWithKeyAsync("alice");

        var all = await op.Http.GetFromJsonAsync<JsonNode>($"/v1/tenants?q={marker}");
        var tenants = all!["tenants"]!.AsArray();
        Assert.Equal([$"{marker}-a", $"{marker}-b", $"{marker}-c"], tenants.Select(t => t!["tenantId"]!.GetValue<string>()));
        Assert.Equal("Shop B", tenants[1]!["name"]!.GetValue<string>());
        Assert.Equal(2, tenants[1]!["users"]!.GetValue<long>()); // the first admin and alice
        Assert.Null(all["nextCursor"]);
        // The filter matches names too, in any case.
        var byName = (await op.Http.GetFromJsonAsync<JsonNode>($"/v1/tenants?q=SHOP%20C&limit=200"))!["tenants"]!.AsArray();
        Assert.Contains($"{marker}-c", byName.Select(t => t!["tenantId"]!.GetValue<string>()));
        Assert.DoesNotContain($"{marker}-a", byName.Select(t => t!["tenantId"]!.GetValue<string>()));

        var first = (await op.Http.GetFromJsonAsync<JsonNode>($"/v1/tenants?q={marker}&limit=2"))!;
        Assert.Equal(2, first["tenants"]!.AsArray().Count);
        var cursor = first["nextCursor"]!.GetValue<string>();
        var second = (await op.Http.GetFromJsonAsync<JsonNode>($"/v1/tenants?q={marker}&limit=2&cursor={cursor}"))!;
        Assert.Equal([$"{marker}-c"], second["tenants"]!.AsArray().Select(t => t!["tenantId"]!.GetValue<string>()));

        var (adminKey, userKey) = await fx.NewTenantKeysAsync("lst");
        foreach (var key in new[] { adminKey, userKey })
        {
            using var client = fx.As(key);
            await ApiClient.ProblemAsync(await client.Http.GetAsync("/v1/tenants"), HttpStatusCode.Forbidden);
        }
        using var anonymous = fx.As(null);
        await ApiClient.ProblemAsync(await anonymous.Http.GetAsync("/v1/tenants"), HttpStatusCode.Unauthorized);
    }

    [Fact(DisplayName = "GET /v1/me names the operator, the tenant admin and the user with their tenant; without a key it is 401")]
    public async Task Me_names_the_caller()
    {
        using var op = fx.Operator();
        var opMe = (await op.Http.GetFromJsonAsync<JsonNode>("/v1/me"))!;
        Assert.Equal("operator", opMe["role"]!.GetValue<string>());
        Assert.Null(opMe["tenantId"]);

        var tenant = TestIds.Tenant("me");
        var res = await op.Http.PostAsJsonAsync("/v1/tenants", new { tenantId = tenant, name = "Acme Support", adminUserId = "root" });
        await ApiClient.EnsureAsync(res, HttpStatusCode.Created);
        using var admin = fx.As((await res.Content.ReadFromJsonAsync<JsonNode>())!["adminKey"]!.GetValue<string>());
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/users", new { userId = "dana", displayName = "Dana Li" }), HttpStatusCode.Created);
        var keyRes = await admin.Http.PostAsync("/v1/users/dana/keys", null);
        var userKey = (await keyRes.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();

        var adminMe = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/me"))!;
        Assert.Equal(("tenant_admin", tenant, "Acme Support", "root"),
            (adminMe["role"]!.GetValue<string>(), adminMe["tenantId"]!.GetValue<string>(), adminMe["tenantName"]!.GetValue<string>(), adminMe["userId"]!.GetValue<string>()));
        using var user = fx.As(userKey);
        var userMe = (await user.Http.GetFromJsonAsync<JsonNode>("/v1/me"))!;
        Assert.Equal(("user", tenant, "dana", "Dana Li"),
            (userMe["role"]!.GetValue<string>(), userMe["tenantId"]!.GetValue<string>(), userMe["userId"]!.GetValue<string>(), userMe["displayName"]!.GetValue<string>()));
        Assert.DoesNotContain(userKey[(userKey.LastIndexOf('_') + 1)..], await user.Http.GetStringAsync("/v1/me"));
        using var anonymous = fx.As(null);
        await ApiClient.ProblemAsync(await anonymous.Http.GetAsync("/v1/me"), HttpStatusCode.Unauthorized);
    }

    [Fact(DisplayName = "The tenant admin pages through the tenant's feedback newest first with counts and filters; another tenant's admin sees none; a user gets 403")]
    public async Task Admin_lists_feedback()
    {
        var t = await fx.NewUnlimitedTenantAsync("fb");
        var conversation = await t.User.CreateConversationAsync();
        var seqs = new List<long>();
        foreach (var question in new[] { "What is the capital of France?", "Name a colour of the sky.", "What is two plus two?" })
            seqs.Add((await t.User.SendAsync(conversation, question)).Done()["assistantMessageSeq"]!.GetValue<long>());
        var votes = new[] { ("up", ""), ("down", "Too vague."), ("down", "") };
        for (var i = 0; i < seqs.Count; i++)
        {
            var (status, _) = await t.User.PostAsync($"/v1/conversations/{conversation}/messages/{seqs[i]}/feedback", new { rating = votes[i].Item1, comment = votes[i].Item2 });
            Assert.Equal(HttpStatusCode.OK, status);
        }

        var all = (await t.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/feedback"))!;
        Assert.Equal((1, 2), (all["up"]!.GetValue<int>(), all["down"]!.GetValue<int>()));
        var listed = all["votes"]!.AsArray();
        Assert.Equal(seqs.AsEnumerable().Reverse(), listed.Select(v => v!["seq"]!.GetValue<long>())); // newest first
        Assert.All(listed, v => Assert.Equal(("alice", conversation), (v!["userId"]!.GetValue<string>(), v["conversationId"]!.GetValue<string>())));
        Assert.Equal("Too vague.", listed[1]!["comment"]!.GetValue<string>());

        var down = (await t.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/feedback?rating=down&commented=true"))!;
        Assert.Equal([seqs[1]], down["votes"]!.AsArray().Select(v => v!["seq"]!.GetValue<long>()));
        Assert.Equal((0, 1), (down["up"]!.GetValue<int>(), down["down"]!.GetValue<int>()));

        // Two pages of two and one, with nothing repeated or lost.
        var page1 = (await t.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/feedback?limit=2"))!;
        var page2 = (await t.Admin.Http.GetFromJsonAsync<JsonNode>($"/v1/feedback?limit=2&cursor={page1["nextCursor"]!.GetValue<string>()}"))!;
        Assert.Equal(seqs.AsEnumerable().Reverse(), page1["votes"]!.AsArray().Concat(page2["votes"]!.AsArray()).Select(v => v!["seq"]!.GetValue<long>()));
        Assert.Null(page2["nextCursor"]);

        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/feedback?cursor=not-a-cursor"), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/feedback?rating=meh"), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/feedback?since=yesterday"), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await t.User.Http.GetAsync("/v1/feedback"), HttpStatusCode.Forbidden);

        using var other = await fx.NewTenantAsync("fb");
        var theirs = (await other.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/feedback"))!;
        Assert.Empty(theirs["votes"]!.AsArray());
        Assert.Equal((0, 0), (theirs["up"]!.GetValue<int>(), theirs["down"]!.GetValue<int>()));
        // A cursor made from this tenant's votes reads nothing of them in another tenant.
        var stolen = (await other.Admin.Http.GetFromJsonAsync<JsonNode>($"/v1/feedback?limit=2&cursor={page1["nextCursor"]!.GetValue<string>()}"))!;
        Assert.Empty(stolen["votes"]!.AsArray());
    }

    [Fact(DisplayName = "The routing event log filters by kind prefix and pages by time; another tenant's admin sees none of it; a user gets 403")]
    public async Task Routing_events_filter_and_page()
    {
        using var t = await fx.NewTenantAsync("rev");
        foreach (var id in new[] { "m1", "m2", "m3" })
        {
            var res = await t.Admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = "http://127.0.0.1:9/v1", modelName = id, tier = "small", inputPerMillion = 1m, outputPerMillion = 2m, contextWindowTokens = 8000,
            });
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        }
        await ApiClient.EnsureAsync(await t.Admin.Http.DeleteAsync("/v1/routing/models/m3"), HttpStatusCode.NoContent);

        var all = (await t.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/routing/events"))!.AsArray();
        Assert.Equal(["model-removed", "model-registered", "model-registered", "model-registered"], all.Select(e => e!["kind"]!.GetValue<string>()));
        var registered = (await t.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/routing/events?kind=model-reg&limit=2"))!.AsArray();
        Assert.Equal(2, registered.Count);
        Assert.Contains("'m3'", registered[0]!["message"]!.GetValue<string>());
        var before = Uri.EscapeDataString(registered[1]!["at"]!.GetValue<string>());
        var rest = (await t.Admin.Http.GetFromJsonAsync<JsonNode>($"/v1/routing/events?kind=model-reg&before={before}"))!.AsArray();
        Assert.Single(rest);
        Assert.Contains("'m1'", rest[0]!["message"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/routing/events?before=soon"), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await t.User.Http.GetAsync("/v1/routing/events"), HttpStatusCode.Forbidden);

        using var other = await fx.NewAdminAsync("rev");
        Assert.Empty((await other.Http.GetFromJsonAsync<JsonNode>("/v1/routing/events"))!.AsArray());
    }

    [Fact(DisplayName = "Usage by day, user and model counts this tenant's turns only; another tenant's admin sees zero; a user gets 403")]
    public async Task Usage_stays_in_the_tenant()
    {
        var t = await fx.NewUnlimitedTenantAsync("use");
        var conversation = await t.User.CreateConversationAsync();
        await t.User.SendAsync(conversation, "What do we know about invoices?");
        await t.User.SendAsync(conversation, "And about refunds?");

        var usage = (await t.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/usage"))!;
        var turns = usage["rows"]!.AsArray().Where(r => r!["kind"]!.GetValue<string>() == "turn").ToList();
        Assert.Equal(2, turns.Sum(r => r!["turns"]!.GetValue<long>()));
        Assert.All(turns, r => Assert.Equal("alice", r!["userId"]!.GetValue<string>()));
        Assert.All(turns, r => Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r!["day"]!.GetValue<string>()));

        using var other = await fx.NewTenantAsync("use");
        var theirs = (await other.Admin.Http.GetFromJsonAsync<JsonNode>("/v1/usage"))!;
        Assert.Empty(theirs["rows"]!.AsArray());
        Assert.Equal(0, theirs["totals"]!["turns"]!.GetValue<long>());
        await ApiClient.ProblemAsync(await t.User.Http.GetAsync("/v1/usage"), HttpStatusCode.Forbidden);
    }
}
