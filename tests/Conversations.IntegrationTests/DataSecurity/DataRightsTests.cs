using System.IO.Compression;

namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>Deletions leave nothing behind in a dump of the whole database; exports hold the tenant's or user's data.</summary>
public sealed class DataRightsTests(DataSecurityFixture fx) : DataSecurityTests
{
    private static string Marker(string what) => $"zq{what}{Guid.NewGuid():n}"[..24];

    // A conversation with two turns, a feedback comment and the markers in each.
    private static async Task<string> TalkAsync(ApiClient user, string marker)
    {
        var id = await user.CreateConversationAsync($"title {marker}");
        await user.SendAsync(id, $"Please remember the code word {marker} for later.");
        await user.SendAsync(id, $"What was {marker} again?");
        var messages = await user.MessagesAsync(id);
        var answer = messages.Last(m => m!["role"]!.GetValue<string>() == "assistant")!;
        var vote = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages/{answer["seq"]!.GetValue<long>()}/feedback",
            new { rating = "down", comment = $"feedback {marker}" });
        Assert.Equal(HttpStatusCode.OK, vote.StatusCode);
        return id;
    }

    private async Task<string> DumpAsync() => await DatabaseDump.DumpAsync(fx.Database.ConnectionString);

    // The dump holds the stored values and the id before the deletion (a 204), and none of them nor the marker after;
    // returns the dump after.
    private async Task<string> DeletedWithoutTraceAsync(Func<Task<HttpResponseMessage>> delete, string id, string marker, List<string> stored)
    {
        var before = await DumpAsync();
        Assert.All(stored, v => Assert.Contains(v, before));
        Assert.Contains(id, before);

        Assert.Equal(HttpStatusCode.NoContent, (await delete()).StatusCode);
        var dump = await DumpAsync();
        Assert.DoesNotContain(marker, dump);
        Assert.DoesNotContain(id, dump);
        Assert.All(stored, v => Assert.DoesNotContain(v, dump));
        return dump;
    }

    // Stored values as they are at rest (sealed with the tenant's key): a deleted row's ciphertext must leave the dump
    // too, since the tenant's key could still open it.
    private async Task<List<string>> StoredAsync(string sql, string id)
    {
        await using var c = new Npgsql.NpgsqlConnection(fx.Database.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("id", id);
        var values = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) if (!r.IsDBNull(0) && r.GetString(0).Length > 0) values.Add(r.GetString(0));
        return values;
    }

    private const string ConversationRows =
        "SELECT content FROM messages WHERE conversation_id = @id UNION ALL SELECT title FROM conversations WHERE conversation_id = @id " +
        "UNION ALL SELECT comment FROM routing_feedback WHERE conversation_id = @id";

    [Fact(DisplayName = "Deleting a conversation removes it and everything derived from it from the database")]
    public async Task Conversation_deletion()
    {
        using var tenant = await fx.NewTenantAsync("delc");
        var marker = Marker("conv");
        var keep = Marker("keep");
        var id = await TalkAsync(tenant.User, marker);
        await TalkAsync(tenant.User, keep);
        // The user's memory learns a fact from the conversation to delete.
        var name = "Zq" + new string(Guid.NewGuid().ToString("n").Where(char.IsLetter).Take(8).ToArray());
        await tenant.User.SendAsync(id, $"My name is {name}.");
        var remembered = false;
        for (var i = 0; i < 40 && !remembered; i++)
        {
            remembered = (await tenant.User.GetJsonAsync("/v1/me/memory")).ToJsonString().Contains(name);
            if (!remembered) await Task.Delay(250);
        }
        Assert.True(remembered, "the name was not remembered");
        var stored = await StoredAsync(ConversationRows, id);
        var kept = await StoredAsync(ConversationRows, (await tenant.User.GetJsonAsync("/v1/conversations"))["conversations"]!.AsArray()
            .Select(c => c!["conversationId"]!.GetValue<string>()).First(c => c != id));
        Assert.True(stored.Count >= 3, "the conversation's rows were not found");
        var before = await DumpAsync();
        Assert.All(stored, v => Assert.Contains(v, before));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.User.Http.DeleteAsync($"/v1/conversations/{id}")).StatusCode);
        var dump = await DumpAsync();
        Assert.DoesNotContain(marker, dump);
        Assert.DoesNotContain(name, dump);
        Assert.DoesNotContain(name, (await tenant.User.GetJsonAsync("/v1/me/memory")).ToJsonString());
        Assert.DoesNotContain(id, dump.Replace($"conversation:{id}", "")); // only the audit entry names the deleted id
        Assert.All(stored, v => Assert.DoesNotContain(v, dump));
        Assert.All(kept, v => Assert.Contains(v, dump)); // the other conversation is untouched
        // Usage stays for the bill.
        Assert.True((await tenant.Admin.GetJsonAsync("/v1/usage"))!.ToJsonString().Length > 0);
    }

    [Fact(DisplayName = "A user deleted several times at once (a double click, two admins) is one 204 and 404s, never a 503; the user is gone")]
    public async Task User_deleted_at_once_several_times()
    {
        using var admin = await fx.NewAdminAsync("delx");
        for (var round = 0; round < 3; round++)
        {
            var userId = Marker("twice");
            var key = await admin.CreateUserWithKeyAsync(userId);
            using (var user = fx.As(key)) await TalkAsync(user, Marker("said"));
            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.Http.DeleteAsync($"/v1/users/{userId}")));
            Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.NoContent));
            Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.NoContent, HttpStatusCode.NotFound }));
            Assert.DoesNotContain(userId, (await admin.GetJsonAsync("/v1/users")).ToJsonString());
        }
    }

    [Fact(DisplayName = "Keys issued for a user while the user is being deleted never outlive the deletion: every key the issue route handed out is refused afterwards, and the user's own key stops at once")]
    public async Task Keys_issued_during_a_users_deletion_do_not_survive()
    {
        using var admin = await fx.NewAdminAsync("delk");
        for (var round = 0; round < 3; round++)
        {
            var userId = Marker("leaving");
            var ownKey = await admin.CreateUserWithKeyAsync(userId, "tenant_admin");
            using var leaving = fx.As(ownKey);
            await TalkAsync(leaving, Marker("said"));
            // The departing admin issues keys for itself, as fast as it can, while another admin deletes it.
            using var stop = new CancellationTokenSource();
            var issued = new System.Collections.Concurrent.ConcurrentBag<string>();
            var issuing = Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var res = await leaving.Http.PostAsync($"/v1/users/{userId}/keys", null);
                    if (res.StatusCode == HttpStatusCode.Created) issued.Add((await res.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>());
                    else if (res.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.TooManyRequests) return;
                }
            }));
            await Task.Delay(50 * round);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/users/{userId}")).StatusCode);
            await stop.CancelAsync();
            await issuing;
            // Read in the database, not by trying each key: dead keys tried from one address trip its limit on them.
            var ids = issued.Append(ownKey).Select(k => ApiKeyFormat.TryParse(k, out var id, out _) ? id : k).ToArray();
            await using var c = new Npgsql.NpgsqlConnection(fx.Database.ConnectionString);
            await c.OpenAsync();
            await using var live = new Npgsql.NpgsqlCommand("SELECT count(*) FROM api_keys WHERE key_id = ANY(@k) AND revoked_at IS NULL", c);
            live.Parameters.AddWithValue("k", ids);
            Assert.Equal(0L, (long)(await live.ExecuteScalarAsync())!);
        }
    }

    [Fact(DisplayName = "Deleting a user removes their conversations, memory, keys, feedback and roles (a new user of the same id reads nothing of theirs); usage stays as anonymous totals")]
    public async Task User_deletion()
    {
        using var admin = await fx.NewAdminAsync("delu");
        var userId = Marker("user");
        var key = await admin.CreateUserWithKeyAsync(userId);
        using var user = fx.As(key);
        var marker = Marker("said");
        await TalkAsync(user, marker);
        await user.SendAsync(await user.CreateConversationAsync(), $"My name is {marker}.");
        // A batch: its prompts live in their own table, its owner only in the job's grain state.
        var model = await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", new
        {
            endpoint = "https://models.example.com/v1", modelName = "m1", tier = "small", inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000,
        });
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "m1", largeModelId = "m1" })).StatusCode);
        HttpResponseMessage batch = null!;
        for (var i = 0; i < 20; i++) // each silo sees a new catalog within Routing:ConfigCacheTtl
        {
            batch = await user.Http.PostAsJsonAsync("/v1/batches", new { modelId = "m1", prompts = new[] { $"Batch question about {marker}?" } });
            if (batch.StatusCode != HttpStatusCode.BadRequest) break;
            await Task.Delay(250);
        }
        Assert.True(batch.StatusCode == HttpStatusCode.Accepted, await batch.Content.ReadAsStringAsync());
        // A role: what this user may read must not pass to another person given the same id later.
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/manager", new { includes = Array.Empty<string>(), labels = new[] { "pay" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/acl/users/{userId}/roles", new { roles = new[] { "manager" } }), HttpStatusCode.OK);
        var stored = await StoredAsync(
            "SELECT m.content FROM messages m JOIN conversations c USING (tenant_id, conversation_id) WHERE c.user_id = @id " +
            "UNION ALL SELECT comment FROM routing_feedback WHERE user_id = @id", userId);
        Assert.True(stored.Count >= 4, "the user's rows were not found");
        var batchPrompts = await StoredAsync(
            "SELECT prompt FROM routing_batch_items WHERE tenant_id = (SELECT tenant_id FROM users WHERE user_id = @id)", userId);
        Assert.NotEmpty(batchPrompts);
        stored.AddRange(batchPrompts);
        var dump = await DeletedWithoutTraceAsync(() => admin.Http.DeleteAsync($"/v1/users/{userId}"), userId, marker, stored);
        await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
        Assert.Contains("(deleted)", dump); // the anonymous usage rows
        await ApiClient.ProblemAsync(await admin.Http.DeleteAsync($"/v1/users/{userId}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(userId, (await admin.GetJsonAsync("/v1/acl"))["users"]!.ToJsonString());
        await admin.CreateUserWithKeyAsync(userId);
        Assert.Empty((await admin.GetJsonAsync($"/v1/acl/users/{userId}/labels"))["labels"]!.AsArray());
    }

    [Fact(DisplayName = "Deleting a tenant leaves no trace of it in the database: rows, vectors, grain state, keys, audit")]
    public async Task Tenant_deletion()
    {
        using var op = fx.Operator();
        var tenantId = ("zqt" + Guid.NewGuid().ToString("n"))[..20];
        var adminKey = await op.CreateTenantAsync(tenantId);
        using var admin = fx.As(adminKey);
        var userKey = await admin.CreateUserWithKeyAsync("alice");
        using var user = fx.As(userKey);
        var marker = Marker("tenant");
        var upload = await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "doc1", title = $"Handbook {marker}", label = "public", content = $"The secret handbook says {marker} is the word. " + string.Join(' ', Enumerable.Repeat("Policies apply.", 30)) } },
        });
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        await TalkAsync(user, marker);
        await admin.PatchSettingsAsync(new { instructions = $"Mention {marker}." });
        var stored = await StoredAsync(
            "SELECT content FROM messages WHERE tenant_id = @id UNION ALL SELECT title FROM kb_documents WHERE tenant_id = @id", tenantId);
        Assert.True(stored.Count >= 3, "the tenant's rows were not found");
        await DeletedWithoutTraceAsync(() => op.Http.DeleteAsync($"/v1/tenants/{tenantId}"), tenantId, marker, stored);
        await ApiClient.ProblemAsync(await admin.Http.GetAsync("/v1/audit"), HttpStatusCode.Unauthorized);
        await ApiClient.ProblemAsync(await op.Http.DeleteAsync($"/v1/tenants/{tenantId}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await op.Http.GetAsync($"/v1/tenants/{tenantId}/audit"), HttpStatusCode.NotFound);
        // The platform's trail records the deletion without naming the tenant.
        Assert.Contains("tenant.delete", (await op.GetJsonAsync("/v1/audit?action=tenant")).ToJsonString());
    }

    // What the writers that outlive a request do for a tenant, as the database sees it: the drift grain's state and
    // reminder (samples flushed every half second, state written on deactivation), a ledger row, a fresh data key
    // for a sealing write, a re-embedding's chunk partition. Each statement is its own transaction.
    private static readonly string[] LateWrites =
    [
        "SELECT orleans_grain_state_write('late', 1, 0, 0, 2, 'drift', @t, NULL, '\\x01'::bytea)",
        "SELECT orleans_grain_state_write('late', 3, 0, 0, 2, 'drift', @t || '/late', NULL, '\\x01'::bytea)",
        "INSERT INTO orleans_reminder (service_id, grain_id, reminder_name, grain_hash, start_time, period, version) " +
        "VALUES ('late', 'drift/' || @t, 'drift-check', 1, now(), 60000, 0) ON CONFLICT DO NOTHING",
        "INSERT INTO usage_records (tenant_id, user_id, conversation_id, turn_id, model, prompt_tokens, cached_tokens, completion_tokens) " +
        "VALUES (@t, 'alice', 'late', 'late-turn', 'm', 1, 0, 1) ON CONFLICT DO NOTHING",
        "INSERT INTO tenant_data_keys (tenant_id, wrapped_key, master_key_id) VALUES (@t, '\\x01'::bytea, 'late') ON CONFLICT DO NOTHING",
    ];

    private async Task LateWritesAsync(string tenantId)
    {
        await using var c = new Npgsql.NpgsqlConnection(fx.Database.ConnectionString);
        await c.OpenAsync();
        foreach (var sql in LateWrites)
        {
            await using var cmd = new Npgsql.NpgsqlCommand(sql, c);
            cmd.Parameters.AddWithValue("t", tenantId);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    [Fact(DisplayName = "A deleted tenant stays deleted: drift samples, grain writes, ledger rows and keys in flight do not bring it back")]
    public async Task Tenant_deletion_with_writes_in_flight()
    {
        using var op = fx.Operator();
        var tenantId = ("zqg" + Guid.NewGuid().ToString("n"))[..20];
        using var admin = fx.As(await op.CreateTenantAsync(tenantId));
        using var user = fx.As(await admin.CreateUserWithKeyAsync("alice"));
        await TalkAsync(user, Marker("gone")); // the last turn's drift sample is still queued on its silo
        var conversationId = (await StoredAsync("SELECT conversation_id FROM conversations WHERE tenant_id = @id", tenantId)).First();
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);

        await LateWritesAsync(tenantId);
        // A late message of its conversation is refused by the foreign keys (messages → conversations → tenants).
        var lateMessage = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => fx.Database.ExecuteAsync(
            "INSERT INTO messages (tenant_id, conversation_id, seq, turn_id, role, content, status) " +
            $"VALUES ('{tenantId}', '{conversationId}', 99, 'late-turn', 'assistant', 'late', 'complete')"));
        Assert.Equal(Npgsql.PostgresErrorCodes.ForeignKeyViolation, lateMessage.SqlState);
        await using (var c = new Npgsql.NpgsqlConnection(fx.Database.ConnectionString))
        {
            await c.OpenAsync();
            await using var partition = new Npgsql.NpgsqlCommand("SELECT kb_ensure_partition(384, @t)", c);
            partition.Parameters.AddWithValue("t", tenantId);
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => partition.ExecuteScalarAsync());
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past the drift samples' flush (0.5 s) and the grain's call
        Assert.DoesNotContain(tenantId, await DumpAsync());

        // The same id created again (its tenants row) is a new tenant whose writes stay.
        await fx.Database.ExecuteAsync($"INSERT INTO tenants (tenant_id, name) VALUES ('{tenantId}', 'again')");
        await LateWritesAsync(tenantId);
        Assert.Contains($"drift/{tenantId}", await DumpAsync());
        await fx.Database.ExecuteAsync($"SELECT erase_tenant('{tenantId}')");
    }

    // Alice reads the "public" label.
    private static async Task GrantPublicAsync(ApiClient admin)
    {
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }), HttpStatusCode.OK);
    }

    private static async Task UploadAsync(ApiClient admin, string content) =>
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "handbook", title = "Handbook", label = "public", content = content + " " + string.Join(' ', Enumerable.Repeat("Policies apply.", 30)) } },
        }), HttpStatusCode.OK);

    [Fact(DisplayName = "A tenant created again under a deleted tenant's id starts empty: the old settings, memory and conversations stay gone, and its turns answer")]
    public async Task Tenant_recreated_under_the_same_id()
    {
        using var op = fx.Operator();
        var tenantId = ("zqr" + Guid.NewGuid().ToString("n"))[..20];
        var marker = Marker("old");
        var name = "Zq" + new string(Guid.NewGuid().ToString("n").Where(char.IsLetter).Take(8).ToArray());
        using (var admin = fx.As(await op.CreateTenantAsync(tenantId)))
        using (var user = fx.As(await admin.CreateUserWithKeyAsync("alice")))
        {
            await admin.PatchSettingsAsync(new { instructions = $"Always mention {marker}." });
            await GrantPublicAsync(admin);
            await UploadAsync(admin, $"The old handbook says {marker}.");
            var id = await TalkAsync(user, marker);
            await user.SendAsync(id, $"My name is {name}.");
            var remembered = false;
            for (var i = 0; i < 40 && !remembered; i++)
            {
                remembered = (await user.GetJsonAsync("/v1/me/memory")).ToJsonString().Contains(name);
                if (!remembered) await Task.Delay(250);
            }
            Assert.True(remembered, "the name was not remembered");
            // Its grains are active (settings, the user's memory, the conversation) when the tenant is deleted.
            Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
        }

        using var again = fx.As(await op.CreateTenantAsync(tenantId));
        using var alice = fx.As(await again.CreateUserWithKeyAsync("alice"));
        Assert.DoesNotContain(marker, (await again.GetJsonAsync("/v1/tenant/settings")).ToJsonString());
        Assert.DoesNotContain(name, (await alice.GetJsonAsync("/v1/me/memory")).ToJsonString());
        Assert.Empty((await alice.GetJsonAsync("/v1/conversations"))["conversations"]!.AsArray());
        // Its first document gets a chunk partition again (the deleted tenant's went with it). The old access rules
        // are gone too: alice reads the label only once the new admin grants it.
        await UploadAsync(again, "The new handbook says annual leave is thirty days.");
        var conversation = await alice.CreateConversationAsync("new");
        var question = "How long is annual leave in the handbook?";
        Assert.DoesNotContain(await alice.SendAsync(conversation, question), e => e.Name == "citation");
        await GrantPublicAsync(again);
        var events = await alice.SendAsync(conversation, question);
        events.Done();
        Assert.Contains(events, e => e.Name == "citation");
        Assert.DoesNotContain(marker, events.Dump());
        Assert.DoesNotContain(name, (await alice.GetJsonAsync("/v1/me/memory")).ToJsonString());
        Assert.DoesNotContain(marker, await DumpAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
    }

    [Fact(DisplayName = "A tenant deleted and created again at once under the same id: an image another API host stores for the new tenant stays readable (no host seals it with the deleted tenant's cached data key)")]
    public async Task Recreated_tenant_is_not_sealed_with_the_old_key()
    {
        using var op = fx.Operator();
        var tenantId = ("zqk" + Guid.NewGuid().ToString("n"))[..20];
        await using var second = await PlatformProcess.StartApiAsync(fx.Settings, "client");
        using (var admin = fx.As(await op.CreateTenantAsync(tenantId)))
        {
            // The second host seals an image of the tenant, so it holds the tenant's data key in its cache.
            using var there = new ApiClient(second.BaseUrl!, await admin.CreateUserWithKeyAsync("alice"));
            await UploadImageAsync(there);
            Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
        }
        using var again = fx.As(await op.CreateTenantAsync(tenantId));
        var aliceKey = await again.CreateUserWithKeyAsync("alice");
        using var onSecond = new ApiClient(second.BaseUrl!, aliceKey);
        var (imageId, bytes) = await UploadImageAsync(onSecond);

        // Past every host's key cache, the image reads back on the first host with the new tenant's key.
        await Task.Delay(TimeSpan.FromSeconds(EncryptionOptions.DefaultKeyCacheSeconds + 1));
        using var here = fx.As(aliceKey);
        using var read = await here.Http.GetAsync($"/v1/images/{imageId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(bytes, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
    }

    private static async Task<(string ImageId, byte[] Bytes)> UploadImageAsync(ApiClient user)
    {
        // A 1×1 PNG with bytes of its own, so its hash is this upload's.
        byte[] png = [.. Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
            .. Guid.NewGuid().ToByteArray()];
        using var content = new ByteArrayContent(png);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        using var upload = await user.Http.PostAsync("/v1/images", content);
        await ApiClient.EnsureAsync(upload, HttpStatusCode.Created);
        return ((await upload.Content.ReadFromJsonAsync<JsonNode>())!["imageId"]!.GetValue<string>(), png);
    }

    [Fact(DisplayName = "An export of a tenant and of one user is a zip with conversations, settings, usage and audit, with progress")]
    public async Task Export_archive()
    {
        using var tenant = await fx.NewTenantAsync("exp");
        var marker = Marker("export");
        await TalkAsync(tenant.User, marker);
        await tenant.Admin.PatchSettingsAsync(new { instructions = $"Settings {marker}." });

        var whole = await ExportAsync(tenant.Admin, null);
        Assert.Contains(marker, Entry(whole, "messages.jsonl"));
        Assert.Contains(marker, Entry(whole, "feedback.jsonl"));
        Assert.Contains(marker, Entry(whole, "settings.json"));
        Assert.Contains("turn", Entry(whole, "usage.jsonl"));
        Assert.Contains("admin.UpdateTenantSettings", Entry(whole, "audit.jsonl"));
        Assert.Contains("\"messages\"", Entry(whole, "manifest.json"));
        Assert.DoesNotContain("secret_hash", Entry(whole, "keys.jsonl"));
        Assert.Contains("\"routing\"", Entry(whole, "settings.json"));

        var alice = await ExportAsync(tenant.Admin, "alice");
        Assert.Contains(marker, Entry(alice, "messages.jsonl"));
        Assert.NotNull(alice.GetEntry("memory.json"));
        Assert.DoesNotContain("\"admin\"", Entry(alice, "users.jsonl"));

        await ApiClient.ProblemAsync(await tenant.Admin.Http.PostAsJsonAsync("/v1/exports", new { userId = "nobody" }), HttpStatusCode.NotFound);
        // Starts sent at once (a double click, a retried request) are one export of that scope, not one copy each.
        var starts = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => tenant.Admin.Http.PostAsJsonAsync("/v1/exports", new { })));
        var ids = new HashSet<string>();
        foreach (var start in starts)
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            ids.Add((await start.Content.ReadFromJsonAsync<JsonNode>())!["exportId"]!.GetValue<string>());
        }
        // (One that finished between two starts lets the next start a new one: fewer exports than starts, not always one.)
        Assert.True(ids.Count < starts.Length, $"{ids.Count} exports for {starts.Length} starts");
        // Another tenant cannot see the export.
        using var other = await fx.NewAdminAsync("exp");
        var exportEntries = (await tenant.Admin.GetJsonAsync("/v1/audit?action=export"))["entries"]!.AsArray();
        Assert.Contains(exportEntries, e => e!["action"]!.GetValue<string>() == "export.download");
        var id = exportEntries[0]!["target"]!.GetValue<string>()["export:".Length..];
        await ApiClient.ProblemAsync(await other.Http.GetAsync($"/v1/exports/{id}/archive"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await tenant.User.Http.PostAsJsonAsync("/v1/exports", new { }), HttpStatusCode.Forbidden);

        // The list: the tenant's exports newest first, each as its own route shows it; another tenant lists none of them.
        var listed = (await tenant.Admin.GetJsonAsync("/v1/exports"))["exports"]!.AsArray();
        Assert.True(listed.Count >= 3, listed.ToJsonString());
        var times = listed.Select(x => x!["createdAt"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderByDescending(x => x), times);
        var one = await tenant.Admin.GetJsonAsync($"/v1/exports/{listed[0]!["exportId"]!.GetValue<string>()}");
        Assert.Equal(one["exportId"]!.ToJsonString(), listed[0]!["exportId"]!.ToJsonString());
        Assert.Contains(listed, x => x!["userId"]?.GetValue<string>() == "alice");
        Assert.Single((await tenant.Admin.GetJsonAsync("/v1/exports?limit=1"))["exports"]!.AsArray());
        Assert.Empty((await other.GetJsonAsync("/v1/exports"))["exports"]!.AsArray());
        await ApiClient.ProblemAsync(await tenant.Admin.Http.GetAsync("/v1/exports?limit=0"), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await tenant.User.Http.GetAsync("/v1/exports"), HttpStatusCode.Forbidden);
    }

    [Fact(DisplayName = "An export archive is stored sealed with the tenant's key; a user's erasure removes the tenant-wide archives made before it; destroying the tenant's data key makes an archive unreadable (410)")]
    public async Task Archives_are_sealed_and_follow_erasure()
    {
        using var tenant = await fx.NewTenantAsync("exq");
        var marker = Marker("sealed");
        await TalkAsync(tenant.User, marker);
        var (whole, wholeId) = await ExportWithIdAsync(tenant.Admin, null);
        Assert.Contains(marker, Entry(whole, "messages.jsonl"));
        await using (var c = new Npgsql.NpgsqlConnection(fx.Database.ConnectionString))
        {
            await c.OpenAsync();
            await using var read = new Npgsql.NpgsqlCommand("SELECT data FROM data_export_parts WHERE export_id = @id AND part = 0", c);
            read.Parameters.AddWithValue("id", wholeId);
            var stored = (byte[])(await read.ExecuteScalarAsync())!;
            Assert.False(stored.AsSpan().StartsWith("PK"u8), "the archive is stored as a plain zip");
        }

        // alice's erasure: the tenant-wide archive holding her messages goes with her.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.Http.DeleteAsync("/v1/users/alice")).StatusCode);
        await ApiClient.ProblemAsync(await tenant.Admin.Http.GetAsync($"/v1/exports/{wholeId}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await tenant.Admin.Http.GetAsync($"/v1/exports/{wholeId}/archive"), HttpStatusCode.NotFound);

        // The tenant's data key destroyed: an archive made before is shredded with the rest.
        var (_, laterId) = await ExportWithIdAsync(tenant.Admin, null);
        var tenantId = (await tenant.Admin.GetJsonAsync("/v1/me"))["tenantId"]!.GetValue<string>();
        using var op = fx.Operator();
        Assert.Equal(HttpStatusCode.OK, (await op.PostAsync($"/v1/tenants/{tenantId}/data-key/destroy", new { confirm = tenantId })).Status);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past the hosts' data-key cache
        await ApiClient.ProblemAsync(await tenant.Admin.Http.GetAsync($"/v1/exports/{laterId}/archive"), HttpStatusCode.Gone);
    }

    [Fact(DisplayName = "An archive larger than one part (DataRights:ArchivePartBytes) is stored as parts each sealed on its own, none whole, and downloaded as one zip whose Content-Length is the size the export reports and whose messages are the conversation's; a Range request resumes it (206, the same bytes across a part boundary), unless If-Range names another archive")]
    public async Task Large_archives_are_stored_in_sealed_parts()
    {
        using var tenant = await fx.NewTenantAsync("exl");
        var random = new Random(17);
        var conversation = await tenant.User.CreateConversationAsync("long questions");
        for (var i = 0; i < 12; i++) await tenant.User.SendAsync(conversation, Words(random, 15_000)); // about 110 KB of zipped text in all
        var (archive, exportId) = await ExportWithIdAsync(tenant.Admin, null);
        var size = (await tenant.Admin.GetJsonAsync($"/v1/exports/{exportId}"))["archiveBytes"]!.GetValue<long>();
        Assert.True(size > DataSecurityFixture.ArchivePartBytes, $"the archive is {size} bytes, one part");

        await using (var c = new Npgsql.NpgsqlConnection(fx.Database.ConnectionString))
        {
            await c.OpenAsync();
            await using var read = new Npgsql.NpgsqlCommand(
                "SELECT part, data, (SELECT archive IS NULL FROM data_exports WHERE export_id = @id) FROM data_export_parts WHERE export_id = @id ORDER BY part", c);
            read.Parameters.AddWithValue("id", exportId);
            await using var r = await read.ExecuteReaderAsync();
            var parts = 0;
            while (await r.ReadAsync())
            {
                Assert.Equal(parts++, r.GetInt32(0));
                Assert.False(r.GetFieldValue<byte[]>(1).AsSpan().StartsWith("PK"u8), "a part is stored as plain zip");
                Assert.True(r.GetBoolean(2), "the archive is also stored whole");
            }
            Assert.Equal((size + DataSecurityFixture.ArchivePartBytes - 1) / DataSecurityFixture.ArchivePartBytes, parts);
        }

        using var download = await tenant.Admin.Http.GetAsync($"/v1/exports/{exportId}/archive");
        Assert.Equal(size, download.Content.Headers.ContentLength);
        var whole = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(size, whole.LongLength);

        // A cut download resumes where it stopped: a range across a part boundary is the same bytes, and one under an
        // If-Range of another archive gets the whole archive instead of a piece of this one.
        var from = DataSecurityFixture.ArchivePartBytes - 100;
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/v1/exports/{exportId}/archive");
        resume.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, null);
        resume.Headers.IfRange = new System.Net.Http.Headers.RangeConditionHeaderValue(download.Headers.ETag!);
        using var rest = await tenant.Admin.Http.SendAsync(resume);
        Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
        Assert.Equal(whole[from..], await rest.Content.ReadAsByteArrayAsync());
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/v1/exports/{exportId}/archive");
        stale.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, null);
        stale.Headers.IfRange = new System.Net.Http.Headers.RangeConditionHeaderValue(new System.Net.Http.Headers.EntityTagHeaderValue("\"another-archive\""));
        using var full = await tenant.Admin.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(whole, await full.Content.ReadAsByteArrayAsync());
        var exported = Entry(archive, "messages.jsonl").Split('\n').Select(l => JsonNode.Parse(l)!)
            .Where(m => m["role"]!.GetValue<string>() == "user").Select(m => m["content"]!.GetValue<string>());
        var stored = (await tenant.User.MessagesAsync(conversation)).Where(m => m!["role"]!.GetValue<string>() == "user").Select(m => m!["content"]!.GetValue<string>());
        Assert.Equal(stored, exported);
    }

    // Made-up lower-case words (letters only) up to about the given length.
    private static string Words(Random random, int chars)
    {
        var text = new StringBuilder();
        while (text.Length < chars)
        {
            if (text.Length > 0) text.Append(' ');
            for (var n = random.Next(3, 9); n > 0; n--) text.Append((char)('a' + random.Next(26)));
        }
        return text.ToString();
    }

    private static async Task<ZipArchive> ExportAsync(ApiClient admin, string? userId) => (await ExportWithIdAsync(admin, userId)).Archive;

    private static async Task<(ZipArchive Archive, string ExportId)> ExportWithIdAsync(ApiClient admin, string? userId)
    {
        var start = await admin.Http.PostAsJsonAsync("/v1/exports", new { userId });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var job = (await start.Content.ReadFromJsonAsync<JsonNode>())!;
        var id = job["exportId"]!.GetValue<string>();
        Assert.True(job["stepsTotal"]!.GetValue<int>() > 0);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (job["status"]!.GetValue<string>() == "running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            job = await admin.GetJsonAsync($"/v1/exports/{id}");
        }
        Assert.Equal("succeeded", job["status"]!.GetValue<string>());
        Assert.Equal(job["stepsTotal"]!.GetValue<int>(), job["stepsDone"]!.GetValue<int>());
        var archive = await admin.Http.GetAsync($"/v1/exports/{id}/archive");
        Assert.Equal(HttpStatusCode.OK, archive.StatusCode);
        Assert.Equal("application/zip", archive.Content.Headers.ContentType?.MediaType);
        return (new ZipArchive(new MemoryStream(await archive.Content.ReadAsByteArrayAsync())), id);
    }

    private static string Entry(ZipArchive zip, string name)
    {
        using var reader = new StreamReader((zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"{name} missing")).Open());
        return reader.ReadToEnd();
    }
}
