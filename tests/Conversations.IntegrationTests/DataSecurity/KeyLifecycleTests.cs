namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>Keys: revocation on every host at once, rotation with an overlap, expiry, scopes.</summary>
public sealed class KeyLifecycleTests(DataSecurityFixture fx) : DataSecurityTests
{
    [Fact(DisplayName = "A key revoked on one API host fails on the next request at another API host")]
    public async Task Revoke_holds_on_every_host()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("rev");
        await using var second = await PlatformProcess.StartApiAsync(fx.Settings, "client");
        using var onSecond = new ApiClient(second.BaseUrl!, userKey);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.Http.GetAsync("/v1/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.Http.GetAsync("/v1/conversations")).StatusCode); // a cache would hold it now

        using var admin = fx.As(adminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/keys/{ApiClient.KeyId(userKey)}")).StatusCode);
        await ApiClient.ProblemAsync(await onSecond.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
    }

    [Fact(DisplayName = "The tenant's last working admin key cannot be revoked (409 saying to issue another first); with a second admin key it can, and a read-only admin key does not count as one")]
    public async Task Last_admin_key_is_not_revoked()
    {
        var (adminKey, _) = await fx.NewTenantKeysAsync("last");
        using var admin = fx.As(adminKey);
        var me = (await admin.GetJsonAsync("/v1/me"))["userId"]!.GetValue<string>();
        var readOnly = await admin.Http.PostAsync($"/v1/users/{me}/keys?scope=read-only", null);
        Assert.Equal(HttpStatusCode.Created, readOnly.StatusCode);
        var problem = await ApiClient.ProblemAsync(await admin.Http.DeleteAsync($"/v1/keys/{ApiClient.KeyId(adminKey)}"), HttpStatusCode.Conflict);
        Assert.Contains("last working admin key", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/v1/users")).StatusCode);

        var second = await admin.Http.PostAsync($"/v1/users/{me}/keys", null);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var secondKey = (await second.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/keys/{ApiClient.KeyId(adminKey)}")).StatusCode);
        using var next = fx.As(secondKey);
        await ApiClient.ProblemAsync(await next.Http.DeleteAsync($"/v1/keys/{ApiClient.KeyId(secondKey)}"), HttpStatusCode.Conflict);
    }

    [Fact(DisplayName = "Rotation: the new key works at once, the old one until its overlap ends; no overlap ends it now")]
    public async Task Rotation_overlap()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("rot");
        using var admin = fx.As(adminKey);
        var res = await admin.Http.PostAsync($"/v1/keys/{ApiClient.KeyId(userKey)}/rotate?overlapMinutes=30", null);
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var body = (await res.Content.ReadFromJsonAsync<JsonNode>())!;
        var newKey = body["key"]!.GetValue<string>();
        Assert.InRange(body["oldKeyExpiresAt"]!.GetValue<DateTimeOffset>() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
        using (var old = fx.As(userKey)) Assert.Equal(HttpStatusCode.OK, (await old.Http.GetAsync("/v1/conversations")).StatusCode);
        using (var fresh = fx.As(newKey)) Assert.Equal(HttpStatusCode.OK, (await fresh.Http.GetAsync("/v1/conversations")).StatusCode);

        var again = await admin.Http.PostAsync($"/v1/keys/{ApiClient.KeyId(newKey)}/rotate?overlapMinutes=0", null);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var third = (await again.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
        using (var previous = fx.As(newKey)) await ApiClient.ProblemAsync(await previous.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
        using (var latest = fx.As(third)) Assert.Equal(HttpStatusCode.OK, (await latest.Http.GetAsync("/v1/conversations")).StatusCode);
        Assert.Contains("key.rotate", (await admin.GetJsonAsync("/v1/audit?action=key.rotate")).ToJsonString());
        await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/keys/nosuchkey/rotate", null), HttpStatusCode.NotFound);
    }

    [Fact(DisplayName = "A key is rotated once: rotations at once (a double click, two admins) give one successor, the others a 409 naming it")]
    public async Task Rotation_happens_once()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("rot1");
        using var admin = fx.As(adminKey);
        var keyId = ApiClient.KeyId(userKey);
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.Http.PostAsync($"/v1/keys/{keyId}/rotate", null)));
        var created = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        var successor = (await created.Content.ReadFromJsonAsync<JsonNode>())!["keyId"]!.GetValue<string>();
        foreach (var refused in answers.Where(a => a != created))
            Assert.Contains($"'{successor}'", (await ApiClient.ProblemAsync(refused, HttpStatusCode.Conflict))["detail"]!.GetValue<string>());
        // One live key besides the rotated one: the user's keys are the old (in its overlap) and its one successor.
        var keys = (await admin.GetJsonAsync("/v1/users/alice/keys"))["keys"]!.AsArray().Select(k => k!["keyId"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { keyId, successor }.Order(), keys.Order());

        // With no overlap the first rotation ends the old key at once: the others are still told to rotate its successor.
        answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.Http.PostAsync($"/v1/keys/{successor}/rotate?overlapMinutes=0", null)));
        var next = (await Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created).Content.ReadFromJsonAsync<JsonNode>())!["keyId"]!.GetValue<string>();
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
            Assert.Contains($"'{next}'", (await ApiClient.ProblemAsync(refused, HttpStatusCode.Conflict))["detail"]!.GetValue<string>());
    }

    [Fact(DisplayName = "An expired key fails on its next request")]
    public async Task Expiry()
    {
        using var admin = await fx.NewAdminAsync("exp");
        var res = await admin.Http.PostAsync("/v1/users/alice/keys?expiresInDays=1", null);
        var key = (await res.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
        using var user = fx.As(key);
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/v1/conversations")).StatusCode);
        // A day is too long to wait: the clock of the row is moved instead.
        await using (var cmd = fx.Database.DataSource.CreateCommand("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE key_id = @k"))
        {
            cmd.Parameters.AddWithValue("k", ApiClient.KeyId(key));
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
    }

    [Fact(DisplayName = "Scopes: a read-only key reads but cannot send; a chat-scoped admin key chats but cannot administer")]
    public async Task Scopes()
    {
        using var admin = await fx.NewAdminAsync("scope");
        using var owner = await fx.NewUserAsync("scope");
        var readOnlyRes = await admin.Http.PostAsync("/v1/users/alice/keys?scope=read-only", null);
        Assert.Equal(HttpStatusCode.Created, readOnlyRes.StatusCode);
        using var readOnly = fx.As((await readOnlyRes.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await readOnly.Http.GetAsync("/v1/conversations")).StatusCode);
        Assert.Contains((await admin.GetJsonAsync("/v1/users/alice/keys"))["keys"]!.AsArray(), k => k!["scope"]?.GetValue<string>() == "read-only");
        var refused = await ApiClient.ProblemAsync(await readOnly.Http.PostAsJsonAsync("/v1/conversations", new { title = "x" }), HttpStatusCode.Forbidden);
        Assert.Contains("read-only", refused["detail"]!.GetValue<string>());

        var chatRes = await admin.Http.PostAsync("/v1/users/admin/keys?scope=chat", null);
        Assert.Equal(HttpStatusCode.Created, chatRes.StatusCode);
        using var chat = fx.As((await chatRes.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await chat.Http.PostAsJsonAsync("/v1/conversations", new { title = "x" })).StatusCode);
        await ApiClient.ProblemAsync(await chat.Http.GetAsync("/v1/users"), HttpStatusCode.Forbidden);

        // A user's key cannot be given the admin scope; an unknown scope is a 400.
        await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/users/alice/keys?scope=admin", null), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await admin.Http.PostAsync("/v1/users/alice/keys?scope=everything", null), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "GET /v1/me names the key's scope and the longest question the platform takes, and issuing a key answers with the scope granted (the role's full one when none is asked)")]
    public async Task Me_and_issued_keys_name_the_scope()
    {
        using var admin = await fx.NewAdminAsync("mescope");
        Assert.Equal("admin", (await admin.GetJsonAsync("/v1/me"))["scope"]!.GetValue<string>());
        // The page checks a question's length against the platform's own limit before it sends.
        Assert.Equal(new Conversations.Api.Chat.ChatApiOptions().MaxMessageChars, (await admin.GetJsonAsync("/v1/me"))["maxMessageChars"]!.GetValue<int>());
        foreach (var (user, asked, granted, role) in new[]
        {
            ("admin", "?scope=read-only", "read-only", "tenant_admin"), ("admin", "?scope=chat", "chat", "user"),
            ("admin", "", "admin", "tenant_admin"), ("alice", "", "chat", "user"), ("alice", "?scope=read-only", "read-only", "user"),
        })
        {
            var issued = await admin.Http.PostAsync($"/v1/users/{user}/keys{asked}", null);
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            var body = (await issued.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.Equal(granted, body["scope"]!.GetValue<string>());
            using var client = fx.As(body["key"]!.GetValue<string>());
            var me = await client.GetJsonAsync("/v1/me");
            Assert.Equal(granted, me["scope"]!.GetValue<string>());
            Assert.Equal(role, me["role"]!.GetValue<string>()); // a chat-scoped admin key acts as a user
        }
        using var op = fx.As(DataSecurityFixture.OperatorKey);
        var opMe = await op.GetJsonAsync("/v1/me");
        Assert.Equal("operator", opMe["scope"]!.GetValue<string>());
        Assert.Null(opMe["maxMessageChars"]);
        Assert.Equal(new Conversations.Api.Chat.ChatApiOptions().HeartbeatSeconds, opMe["heartbeatSeconds"]!.GetValue<double>());
    }
}
