using System.Security.Cryptography;
using Conversations.Contracts.Encryption;
using Conversations.Storage.Chat;

namespace Conversations.Routing.IntegrationTests.Encryption;

/// <summary>What a tenant stores is sealed with its own data key: a dump shows none of it, rows do not move between tenants or rows, rotation keeps it readable, destroying the key shreds it.</summary>
public sealed class EncryptionAtRestTests(EncryptionPlatform fx) : EncryptionTests
{
    private sealed record Tenant(string Id, ApiClient Admin, ApiClient User, string Marker, string Secret, string Conversation, string JobId) : IDisposable
    {
        public void Dispose()
        {
            Admin.Dispose();
            User.Dispose();
        }
    }

    // A tenant that did everything once: a model with an API key, settings, an upload, chat turns (one repeated, for
    // the answer cache; one with personal data, for a moderation event), a feedback comment and a batch. Every text
    // carries the tenant's marker.
    private async Task<Tenant> ScriptedTenantAsync(string prefix)
    {
        var id = TestIds.Tenant(prefix);
        var marker = "zq" + Guid.NewGuid().ToString("n")[..10];
        var secret = "sk-live-" + Guid.NewGuid().ToString("n");
        using var op = fx.Operator();
        var admin = fx.As(await op.CreateTenantAsync(id));
        var user = fx.As(await admin.CreateUserWithKeyAsync("alice"));
        foreach (var (model, tier) in new[] { ("small", "small"), ("large", "large") })
        {
            await Ensure(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{model}", new
            {
                endpoint = fx.Model.BaseUrl, apiKey = secret, modelName = $"{model}-{marker}", tier, domains = Array.Empty<string>(),
                inputPerMillion = 1m, cachedInputPerMillion = 0.25m, outputPerMillion = 4m, contextWindowTokens = 128_000, batchDiscount = 0.5m,
            }));
        }
        await Ensure(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "small", largeModelId = "large", exactCache = true, semanticCache = true, semanticThreshold = 0.95 }));
        await admin.PatchSettingsAsync(new { instructions = $"Always greet {marker}instructions politely." });
        await Ensure(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }));
        await Ensure(await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }));
        await Ensure(await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "leave", title = $"Leave {marker}title", label = "public", content = $"Parental leave {marker}doc is sixteen weeks at full pay." } },
        }));
        await Task.Delay(500); // config and knowledge-version caches

        var conversation = await user.CreateConversationAsync($"Trip {marker}convtitle");
        var question = $"How long is parental leave for {marker}chat?";
        var done = (await user.SendAsync(conversation, question)).Done();
        await user.SendAsync(await user.CreateConversationAsync(), question);
        await user.SendAsync(conversation, $"My e-mail is jane.{marker}@example.com and my name is {marker}name, remember that I like {marker}memory.");
        await Ensure(await user.Http.PostAsJsonAsync($"/v1/conversations/{conversation}/messages/{done["assistantMessageSeq"]}/feedback",
            new { rating = "down", comment = $"Too long {marker}feedback" }));

        var submitted = await user.Http.PostAsJsonAsync("/v1/batches", new { modelId = "large", prompts = new[] { $"Summarize {marker}batch one", $"Summarize {marker}batch two" } });
        await Ensure(submitted);
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonNode>())!["jobId"]!.GetValue<string>();
        for (var i = 0; i < 300 && (await user.GetJsonAsync($"/v1/batches/{jobId}"))["status"]!.GetValue<string>() != "completed"; i++) await Task.Delay(100);
        await Task.Delay(500); // cache entries, turn details and moderation events are written off the turn's path
        return new Tenant(id, admin, user, marker, secret, conversation, jobId);
    }

    [Fact(DisplayName = "A dump after chat, upload, batch, feedback and a model with an API key holds no planted marker and no secret, while the API still reads them all")]
    public async Task Dump_holds_no_plaintext()
    {
        using var t = await ScriptedTenantAsync("dump");

        // The API reads everything back in plaintext.
        Assert.Contains((await t.User.MessagesAsync(t.Conversation)).Select(m => m!["content"]!.GetValue<string>()), c => c.Contains($"{t.Marker}chat", StringComparison.Ordinal));
        Assert.Contains($"{t.Marker}convtitle", (await t.User.GetConversationAsync(t.Conversation)).ToJsonString(), StringComparison.Ordinal);
        Assert.Contains($"{t.Marker}title", (await t.Admin.GetJsonAsync("/v1/knowledge/documents")).ToJsonString(), StringComparison.Ordinal);
        Assert.Contains($"{t.Marker}batch one", (await t.User.GetJsonAsync($"/v1/batches/{t.JobId}/results")).ToJsonString(), StringComparison.Ordinal);
        Assert.Contains($"{t.Marker}instructions", (await t.Admin.GetJsonAsync("/v1/tenant/settings")).ToJsonString(), StringComparison.Ordinal);
        // The title search and the feedback listing open what they read.
        var found = (await t.User.GetJsonAsync($"/v1/conversations?q={t.Marker.ToUpperInvariant()}CONVTITLE"))["conversations"]!.AsArray();
        Assert.Equal(t.Conversation, Assert.Single(found)!["conversationId"]!.GetValue<string>());
        Assert.Empty((await t.User.GetJsonAsync($"/v1/conversations?q={t.Marker}nothing"))["conversations"]!.AsArray());
        Assert.Contains($"{t.Marker}feedback", (await t.Admin.GetJsonAsync("/v1/feedback?commented=true")).ToJsonString(), StringComparison.Ordinal);
        var search = await t.User.PostAsync("/v1/knowledge/search", new { question = $"parental leave {t.Marker}doc" });
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Contains($"{t.Marker}doc", search.Body!.ToJsonString(), StringComparison.Ordinal);
        // The model was called with the registered key.
        Assert.Contains(fx.Model.Requests, r => r.Model.Contains(t.Marker, StringComparison.Ordinal));

        var dump = await DatabaseDump.DumpAsync(fx.Database.ConnectionString);
        Assert.Contains(t.Id, dump, StringComparison.Ordinal); // the dump is of the right database
        Assert.Contains("enc1:", dump, StringComparison.Ordinal);
        Assert.DoesNotContain(t.Secret, dump, StringComparison.Ordinal);
        foreach (var planted in new[] { "chat", "convtitle", "title", "doc", "batch", "feedback", "instructions", "name", "memory" })
            Assert.False(dump.Contains(t.Marker + planted, StringComparison.OrdinalIgnoreCase), $"'{t.Marker}{planted}' is in the dump in plaintext");
        // The model names carry the marker on purpose (catalog metadata is not sealed); nothing else does.
        var lines = dump.Split('\n').Where(l => l.Contains(t.Marker, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.All(lines, l => Assert.Contains($"-{t.Marker}", l, StringComparison.Ordinal));
    }

    [Fact(DisplayName = "A sealed message copied to another tenant's conversation, or to another row of its own, does not decrypt")]
    public async Task Copied_rows_do_not_open()
    {
        using var a = await SimpleTenantAsync("copya");
        using var b = await SimpleTenantAsync("copyb");
        await using var db = fx.Database.CreateDataSource();
        var store = new ConversationStore(db, TestKeys.Ring(db, fx.MasterKeyFile));
        Assert.Contains(a.Marker, (await store.ReadPageAsync(a.Id, a.Conversation, null, 10))[0].Content, StringComparison.Ordinal);

        // Tenant a's question, as sealed, over tenant b's question.
        await Exec(db, """
            UPDATE messages SET content = (SELECT content FROM messages WHERE tenant_id = @a AND conversation_id = @ac AND seq = 1)
            WHERE tenant_id = @b AND conversation_id = @bc AND seq = 1
            """, ("a", a.Id), ("ac", a.Conversation), ("b", b.Id), ("bc", b.Conversation));
        var copied = await Assert.ThrowsAnyAsync<CryptographicException>(() => store.ReadPageAsync(b.Id, b.Conversation, null, 10));
        // The operator's log line names the record (never its value).
        Assert.Contains($"messages (row {b.Conversation}/1) of tenant '{b.Id}'", copied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(a.Marker, copied.ToString(), StringComparison.Ordinal);

        // Through the API: a 500 that says what it is, so nobody retries it, and the text never leaks.
        var res = await b.User.Http.GetAsync($"/v1/conversations/{b.Conversation}");
        var body = await res.Content.ReadAsStringAsync();
        var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.InternalServerError);
        Assert.Equal("stored_data_unreadable", problem["code"]?.GetValue<string>());
        Assert.Contains("decrypted", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(a.Marker, body, StringComparison.Ordinal);

        // Tenant a's question over its own answer (same tenant and conversation, another row).
        await Exec(db, """
            UPDATE messages SET content = (SELECT content FROM messages WHERE tenant_id = @a AND conversation_id = @ac AND seq = 1)
            WHERE tenant_id = @a AND conversation_id = @ac AND seq = 2
            """, ("a", a.Id), ("ac", a.Conversation));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => store.ReadPageAsync(a.Id, a.Conversation, null, 10));
    }

    [Fact(DisplayName = "Rotating the master re-wraps the data keys, and everything stays readable, also through a key ring that never cached a key")]
    public async Task Rotation_keeps_data_readable()
    {
        using var t = await SimpleTenantAsync("rot");
        using var op = fx.Operator();
        var before = await op.GetJsonAsync($"/v1/tenants/{t.Id}/data-key");
        var rotated = await op.PostAsync("/v1/operator/master-key/rotate", new { });
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var master = rotated.Body!["masterKeyId"]!.GetValue<string>();
        Assert.True(rotated.Body["rewrapped"]!.GetValue<int>() >= 1);
        Assert.NotEqual(before["masterKeyId"]!.GetValue<string>(), master);
        var after = await op.GetJsonAsync($"/v1/tenants/{t.Id}/data-key");
        Assert.Equal(master, after["masterKeyId"]!.GetValue<string>());
        Assert.NotNull(after["rewrappedAt"]);

        Assert.Contains(t.Marker, (await t.User.MessagesAsync(t.Conversation))[0]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        await using var db = fx.Database.CreateDataSource();
        var fresh = new ConversationStore(db, TestKeys.Ring(db, fx.MasterKeyFile));
        Assert.Contains(t.Marker, (await fresh.ReadPageAsync(t.Id, t.Conversation, null, 10))[0].Content, StringComparison.Ordinal);
        // A new turn after the rotation is sealed and read back as well.
        (await t.User.SendAsync(t.Conversation, $"And after {t.Marker}rotation?")).Done();
        Assert.Contains(await fresh.ReadPageAsync(t.Id, t.Conversation, null, 10), m => m.Content.Contains($"{t.Marker}rotation", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "Destroying a tenant's data key makes its conversations unreadable (410), while another tenant reads on")]
    public async Task Destroyed_key_shreds_one_tenant()
    {
        using var doomed = await SimpleTenantAsync("shred");
        using var other = await SimpleTenantAsync("keep");
        using var op = fx.Operator();

        var unconfirmed = await op.PostAsync($"/v1/tenants/{doomed.Id}/data-key/destroy", new { });
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.Status);
        Assert.Equal(HttpStatusCode.OK, (await doomed.User.Http.GetAsync($"/v1/conversations/{doomed.Conversation}")).StatusCode);

        var destroyed = await op.PostAsync($"/v1/tenants/{doomed.Id}/data-key/destroy", new { confirm = doomed.Id });
        Assert.Equal(HttpStatusCode.OK, destroyed.Status);
        Assert.NotNull(destroyed.Body!["destroyedAt"]);

        foreach (var path in new[] { $"/v1/conversations/{doomed.Conversation}", "/v1/conversations" })
        {
            var res = await doomed.User.Http.GetAsync(path);
            var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.Gone);
            Assert.Contains("destroyed", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        // A new message cannot be stored either, and the answer says so for good (no retry).
        var send = await doomed.User.PostMessageAsync(doomed.Conversation, "Are you still there?");
        Assert.Equal("data_destroyed", (await ApiClient.ProblemAsync(send, HttpStatusCode.Gone))["code"]!.GetValue<string>());
        Assert.Contains(other.Marker, (await other.User.MessagesAsync(other.Conversation))[0]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        (await other.User.SendAsync(other.Conversation, "Still fine?")).Done();

        // An export could only fail now: refused at once, as the other routes refuse. The audit trail's sealed states
        // say they are unreadable rather than hand out the sealed bytes.
        var export = await doomed.Admin.Http.PostAsJsonAsync("/v1/exports", new { });
        Assert.Contains("destroyed", (await ApiClient.ProblemAsync(export, HttpStatusCode.Gone))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var states = (await doomed.Admin.GetJsonAsync("/v1/audit?limit=50"))["entries"]!.AsArray()
            .SelectMany(e => new[] { e!["before"], e["after"] }).Where(v => v is JsonValue).Select(v => v!.ToJsonString()).ToList();
        Assert.Contains(states, v => v.Contains("unreadable", StringComparison.Ordinal));
        Assert.DoesNotContain(states, v => v.Contains("enc1:", StringComparison.Ordinal));

        // Also for a host that never cached the key: the rows are there, the key is not.
        await using var db = fx.Database.CreateDataSource();
        var ring = TestKeys.Ring(db, fx.MasterKeyFile);
        await Assert.ThrowsAsync<TenantDataUnreadableException>(() => new ConversationStore(db, ring).ReadPageAsync(doomed.Id, doomed.Conversation, null, 10));
        var dump = await DatabaseDump.DumpAsync(fx.Database.ConnectionString);
        Assert.Contains(doomed.Id, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(doomed.Marker, dump, StringComparison.OrdinalIgnoreCase);
    }

    // A tenant with one conversation of one turn whose question carries a marker.
    private async Task<Tenant> SimpleTenantAsync(string prefix)
    {
        var id = TestIds.Tenant(prefix);
        var marker = "zq" + Guid.NewGuid().ToString("n")[..10];
        using var op = fx.Operator();
        var admin = fx.As(await op.CreateTenantAsync(id));
        var user = fx.As(await admin.CreateUserWithKeyAsync("alice"));
        var conversation = await user.CreateConversationAsync();
        (await user.SendAsync(conversation, $"What is {marker}question about?")).Done();
        return new Tenant(id, admin, user, marker, "", conversation, "");
    }

    private static async Task Exec(NpgsqlDataSource db, string sql, params (string Name, string Value)[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    private static async Task Ensure(HttpResponseMessage res)
    {
        if (!res.IsSuccessStatusCode) Assert.Fail($"{(int)res.StatusCode}: {await res.Content.ReadAsStringAsync()}");
    }
}
