namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>The audit log: what it records, who may read it, and that it cannot be rewritten.</summary>
public sealed class AuditLogTests(DataSecurityFixture fx) : DataSecurityTests
{
    [Fact(DisplayName = "Admin changes are audited with key id and forwarded address; another tenant's admin cannot read them")]
    public async Task Audit_is_per_tenant()
    {
        var (admin, user) = await fx.NewTenantAsync("aud");
        admin.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.77");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/keys/{ApiClient.KeyId(user.Key)}")).StatusCode);
        var patch = await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Be brief." });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var model = await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", new
        {
            endpoint = "https://models.example.com/v1", modelName = "m1", tier = "small", apiKey = "sk-audit-never-shown-4711",
            inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000,
        });
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);

        var page = await admin.GetJsonAsync("/v1/audit?limit=50");
        var text = page.ToJsonString();
        var entries = page["entries"]!.AsArray();
        var revoke = entries.Single(e => e!["action"]!.GetValue<string>() == "key.revoke")!;
        Assert.Equal(ApiClient.KeyId(admin.Key), revoke["actorKeyId"]!.GetValue<string>());
        Assert.Equal("203.0.113.77", revoke["clientAddress"]!.GetValue<string>());
        Assert.Equal(ApiClient.KeyId(user.Key), revoke["before"]!["keyId"]!.GetValue<string>());
        var settings = entries.Single(e => e!["action"]!.GetValue<string>() == "admin.UpdateTenantSettings")!;
        Assert.Equal("Be brief.", settings["after"]!["request"]!["instructions"]!.GetValue<string>());
        Assert.Equal("Be brief.", settings["after"]!["state"]!["instructions"]!.GetValue<string>());
        Assert.Equal("", settings["before"]!["instructions"]!.GetValue<string>());
        var put = entries.Single(e => e!["action"]!.GetValue<string>() == "admin.PutModel")!;
        Assert.Contains("m1", put["after"]!["state"]!.ToJsonString());
        Assert.Contains(entries, e => e!["action"]!.GetValue<string>() == "key.issue"); // alice's key, issued at set-up
        Assert.Contains("admin.PutModel", text);
        Assert.DoesNotContain("sk-audit-never-shown-4711", text);
        Assert.DoesNotContain(user.Key[(user.Key.LastIndexOf('_') + 1)..], text);

        // Filters and paging.
        var keysOnly = (await admin.GetJsonAsync("/v1/audit?action=key"))["entries"]!.AsArray();
        Assert.All(keysOnly, e => Assert.StartsWith("key.", e!["action"]!.GetValue<string>()));
        var first = await admin.GetJsonAsync("/v1/audit?limit=1");
        var next = first["nextBefore"]!.GetValue<long>();
        var second = (await admin.GetJsonAsync($"/v1/audit?limit=1&before={next}"))["entries"]!.AsArray();
        Assert.True(second[0]!["id"]!.GetValue<long>() < next);

        // Another tenant's admin sees only their own tenant, and cannot ask for this one's.
        using var other = await fx.NewAdminAsync("aud");
        var theirs = (await other.GetJsonAsync("/v1/audit?limit=500")).ToJsonString();
        Assert.DoesNotContain(ApiClient.KeyId(admin.Key), theirs);
        Assert.DoesNotContain(ApiClient.KeyId(user.Key), theirs);
        var tenantId = (await admin.GetJsonAsync("/v1/tenant/settings"))["name"]!.GetValue<string>();
        await ApiClient.ProblemAsync(await other.Http.GetAsync($"/v1/tenants/{tenantId}/audit"), HttpStatusCode.Forbidden);
        // The refusal is itself in the other tenant's log.
        Assert.Contains("access.denied", (await other.GetJsonAsync("/v1/audit")).ToJsonString());

        // Counts per action, refusals among them.
        var counts = (await other.GetJsonAsync("/v1/audit/counts"))["actions"]!;
        Assert.True(counts["access.denied"]!.GetValue<long>() >= 1);

        // The operator reads any tenant's.
        using var op = fx.Operator();
        Assert.Contains(ApiClient.KeyId(admin.Key), (await op.GetJsonAsync($"/v1/tenants/{tenantId}/audit")).ToJsonString());
    }

    [Fact(DisplayName = "The operator's routes of one tenant answer 404 naming a tenant that does not exist, and change nothing for it")]
    public async Task Unknown_tenant_is_not_found()
    {
        using var op = fx.Operator();
        var missing = TestIds.Tenant("gone");
        var answers = new[]
        {
            await op.Http.GetAsync($"/v1/tenants/{missing}/audit"),
            await op.Http.GetAsync($"/v1/tenants/{missing}/data-key"),
            await op.Http.PostAsJsonAsync($"/v1/tenants/{missing}/data-key/destroy", new { confirm = missing }),
            await op.Http.GetAsync($"/v1/drift/events?tenantId={missing}"),
        };
        foreach (var answer in answers)
        {
            var problem = await ApiClient.ProblemAsync(answer, HttpStatusCode.NotFound);
            Assert.Contains($"Tenant '{missing}'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // A tenant opened later under that id finds its audit log, and no data key destroyed before it existed.
        await op.CreateTenantAsync(missing);
        Assert.NotNull((await op.GetJsonAsync($"/v1/tenants/{missing}/audit"))["entries"]);
        var key = await op.Http.GetAsync($"/v1/tenants/{missing}/data-key");
        if (key.StatusCode == HttpStatusCode.OK) Assert.Null((await key.Content.ReadFromJsonAsync<JsonNode>())!["destroyedAt"]);
        else Assert.Contains("A data key", (await ApiClient.ProblemAsync(key, HttpStatusCode.NotFound))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact(DisplayName = "A key refused again and again is recorded 20 times a minute, the last entry saying that more are not recorded; another key's refusals are still recorded")]
    public async Task Refusals_of_one_key_cannot_bury_the_trail()
    {
        using var tenant = await fx.NewTenantAsync("audf");
        for (var i = 0; i < 30; i++)
            await ApiClient.ProblemAsync(await tenant.User.Http.GetAsync("/v1/audit"), HttpStatusCode.Forbidden);
        var userKey = ApiClient.KeyId(tenant.User.Key);
        var refused = (await tenant.Admin.GetJsonAsync("/v1/audit?action=access.denied&limit=100"))["entries"]!.AsArray()
            .Where(e => e!["actor"]?["keyId"]?.GetValue<string>() == userKey || e!.ToJsonString().Contains(userKey, StringComparison.Ordinal)).ToList();
        // (A minute that turns during the loop records up to twice as many.)
        Assert.InRange(refused.Count, 20, 40);
        Assert.Contains(refused, e => e!.ToJsonString().Contains("moreNotRecorded", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "The audit table refuses UPDATE, DELETE and TRUNCATE")]
    public async Task Audit_is_append_only()
    {
        using var admin = await fx.NewAdminAsync("aud");
        await admin.CreateUserWithKeyAsync("bob");
        await using var conn = await fx.Database.DataSource.OpenConnectionAsync();
        foreach (var sql in new[] { "UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log" })
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", e.MessageText);
        }
    }

    [Fact(DisplayName = "Moderation blocks show in the audit counts; the lexicon change shows before and after")]
    public async Task Moderation_blocks_are_counted()
    {
        using var tenant = await fx.NewTenantAsync("audm");
        var put = await tenant.Admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/banned", new { words = new[] { "zqforbidden" }, riskLevel = "high", action = "block", label = "custom" });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var id = await tenant.User.CreateConversationAsync();
        await tenant.User.SendAsync(id, "tell me about zqforbidden please");
        long blocks = 0;
        for (var i = 0; i < 40 && blocks == 0; i++)
        {
            var actions = (await tenant.Admin.GetJsonAsync("/v1/audit/counts"))["actions"]!;
            blocks = actions["moderation.block.input"]?.GetValue<long>() ?? 0;
            if (blocks == 0) await Task.Delay(250);
        }
        Assert.Equal(1, blocks);
        var entry = (await tenant.Admin.GetJsonAsync("/v1/audit?action=admin.PutLexicon"))["entries"]![0]!;
        Assert.Null(entry["before"]);
        Assert.Contains("zqforbidden", entry["after"]!["state"]!.ToJsonString());
    }
}
