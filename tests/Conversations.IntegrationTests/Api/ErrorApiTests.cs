namespace Conversations.IntegrationTests.Api;

/// <summary>Every bad input gets its status code and a problem-details body; tenants never see each other.</summary>
public sealed class ErrorApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "Malformed JSON is a 400 problem")]
    public async Task Malformed_json()
    {
        var (user, id) = await fx.NewConversationAsync();
        var res = await user.Http.PostAsync($"/v1/conversations/{id}/messages", new StringContent("{\"text\": ", Encoding.UTF8, "application/json"));
        var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.BadRequest);
        Assert.Contains("JSON", problem["detail"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A missing text field is a 400 problem")]
    public async Task Missing_field()
    {
        var (user, id) = await fx.NewConversationAsync();
        var res = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { other = 1 });
        var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.BadRequest);
        Assert.Contains("text", problem["detail"]!.GetValue<string>());
    }

    [Fact(DisplayName = "No key and a wrong key are 401 problems")]
    public async Task Missing_or_bad_key()
    {
        using var anon = fx.As(null);
        await ApiClient.ProblemAsync(await anon.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
        using var bad = fx.As("cvk_nosuchkey_nosuchsecret");
        await ApiClient.ProblemAsync(await bad.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
        var (_, userKey) = await fx.NewTenantKeysAsync();
        using var tampered = fx.As(userKey[..^2] + "xx");
        await ApiClient.ProblemAsync(await tampered.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
    }

    [Fact(DisplayName = "A user key on an admin route and a tenant key on the operator route are 403 problems")]
    public async Task Wrong_role()
    {
        var (admin, user) = await fx.NewTenantAsync();
        await ApiClient.ProblemAsync(await user.Http.PostAsJsonAsync("/v1/users", new { userId = "mallory" }), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await admin.Http.PostAsJsonAsync("/v1/tenants", new { tenantId = "stolen" }), HttpStatusCode.Forbidden);
    }

    [Fact(DisplayName = "A tenant whose creation fails before its admin key is stored is not left behind: the same request then creates it")]
    public async Task Failed_tenant_creation_leaves_nothing()
    {
        var tenantId = "half-" + Guid.NewGuid().ToString("n")[..8];
        await using var db = new NpgsqlConnection(fx.Database.ConnectionString);
        await db.OpenAsync();
        // The admin key's insert fails for this tenant only, after the tenant and its admin user were written.
        await ExecAsync(db, $"""
            CREATE FUNCTION refuse_{tenantId.Replace('-', '_')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
            CREATE TRIGGER refuse_{tenantId.Replace('-', '_')} BEFORE INSERT ON api_keys FOR EACH ROW WHEN (NEW.tenant_id = '{tenantId}')
                EXECUTE FUNCTION refuse_{tenantId.Replace('-', '_')}();
            """);
        using var op = fx.Operator();
        try
        {
            var failed = await op.Http.PostAsJsonAsync("/v1/tenants", new { tenantId, name = "Half Made" });
            Assert.True((int)failed.StatusCode >= 500, $"{(int)failed.StatusCode} {await failed.Content.ReadAsStringAsync()}");
        }
        finally
        {
            await ExecAsync(db, $"DROP TRIGGER refuse_{tenantId.Replace('-', '_')} ON api_keys; DROP FUNCTION refuse_{tenantId.Replace('-', '_')}();");
        }
        await using (var rows = new NpgsqlCommand("SELECT (SELECT count(*) FROM tenants WHERE tenant_id = @t) + (SELECT count(*) FROM users WHERE tenant_id = @t)", db))
        {
            rows.Parameters.AddWithValue("t", tenantId);
            Assert.Equal(0L, (long)(await rows.ExecuteScalarAsync())!);
        }

        var again = await op.Http.PostAsJsonAsync("/v1/tenants", new { tenantId, name = "Half Made" });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        using var admin = fx.As((await again.Content.ReadFromJsonAsync<JsonObject>())!["adminKey"]!.GetValue<string>());
        Assert.Equal("Half Made", (await admin.GetJsonAsync("/v1/me"))["tenantName"]!.GetValue<string>());
        // A second create of a tenant that exists asks for another id and points at nothing destructive.
        var taken = await ApiClient.ProblemAsync(await op.Http.PostAsJsonAsync("/v1/tenants", new { tenantId }), HttpStatusCode.Conflict);
        Assert.Equal($"The tenant id '{tenantId}' is taken; choose another.", taken["detail"]!.GetValue<string>());
    }

    private static async Task ExecAsync(NpgsqlConnection db, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact(DisplayName = "A 404 on an admin route does not tell the admin they see only their own data; a user's 404 still does")]
    public async Task Not_found_wording_fits_the_caller()
    {
        var (admin, user) = await fx.NewTenantAsync("nfw");
        var ghost = await ApiClient.ProblemAsync(await admin.Http.PutAsJsonAsync("/v1/acl/users/ghost/roles", new { roles = Array.Empty<string>() }), HttpStatusCode.NotFound);
        Assert.Equal("User 'ghost' was not found. Check the id.", ghost["detail"]!.GetValue<string>());
        var lexicon = await ApiClient.ProblemAsync(await admin.Http.DeleteAsync("/v1/moderation/lexicons/nothing"), HttpStatusCode.NotFound);
        Assert.DoesNotContain("your own data", lexicon["detail"]!.GetValue<string>());
        var mine = await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/conversations/nothing-here"), HttpStatusCode.NotFound);
        Assert.Contains("you can only see your own data", mine["detail"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Another tenant's conversation is a 404 for reading, sending and deleting, and stays intact")]
    public async Task Other_tenant_is_404()
    {
        var (_, aliceKey) = await fx.NewTenantKeysAsync("a");
        var (_, eveKey) = await fx.NewTenantKeysAsync("b");
        using var alice = fx.As(aliceKey);
        using var eve = fx.As(eveKey);
        var id = await alice.CreateConversationAsync("secret");
        await alice.SendAsync(id, "my secret plan");

        await ApiClient.ProblemAsync(await eve.Http.GetAsync($"/v1/conversations/{id}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await eve.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = "hi" }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await eve.Http.DeleteAsync($"/v1/conversations/{id}"), HttpStatusCode.NotFound);
        Assert.Equal(2, (await alice.GetConversationAsync(id))["messages"]!.AsArray().Count);
    }

    [Fact(DisplayName = "Another user's conversation in the same tenant is a 404")]
    public async Task Other_user_is_404()
    {
        var (admin, alice) = await fx.NewTenantAsync();
        var bobKey = await admin.CreateUserWithKeyAsync("bob");
        using var bob = fx.As(bobKey);
        var id = await alice.CreateConversationAsync();
        await ApiClient.ProblemAsync(await bob.Http.GetAsync($"/v1/conversations/{id}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await bob.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = "hi" }), HttpStatusCode.NotFound);
    }

    [Fact(DisplayName = "A message over the configured length is a 413 problem, and nothing is stored")]
    public async Task Message_too_long()
    {
        var (user, id) = await fx.NewConversationAsync();
        var res = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = new string('x', 2001) });
        await ApiClient.ProblemAsync(res, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty((await user.GetConversationAsync(id))["messages"]!.AsArray());
    }

    [Fact(DisplayName = "A body over the configured size is a 413 problem")]
    public async Task Body_too_large()
    {
        var (user, id) = await fx.NewConversationAsync();
        var body = "{\"text\":\"" + new string('y', 70_000) + "\"}";
        var res = await user.Http.PostAsync($"/v1/conversations/{id}/messages", new StringContent(body, Encoding.UTF8, "application/json"));
        await ApiClient.ProblemAsync(res, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact(DisplayName = "Every 413 has the one title \"Content Too Large\": a message past its length, a body past the server's limit, a knowledge upload past a form limit")]
    public async Task Every_413_has_the_same_title()
    {
        var (user, id) = await fx.NewConversationAsync();
        var message = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = new string('x', 2001) });
        var body = await user.Http.PostAsync($"/v1/conversations/{id}/messages",
            new StringContent("{\"text\":\"" + new string('y', 70_000) + "\"}", Encoding.UTF8, "application/json"));
        using var admin = await fx.NewAdminAsync();
        // More form fields than the form reader takes (1,024): the knowledge upload's own 413.
        using var form = new MultipartFormDataContent { { new StringContent("handbook"), "label" } };
        for (var i = 0; i < 1100; i++) form.Add(new StringContent("x"), $"f{i}");
        var upload = await admin.Http.PostAsync("/v1/knowledge/documents", form);
        foreach (var res in new[] { message, body, upload })
            Assert.Equal("Content Too Large", (await ApiClient.ProblemAsync(res, HttpStatusCode.RequestEntityTooLarge))["title"]!.GetValue<string>());
    }

    [Fact(DisplayName = "An unknown route is a 404 problem that points at the API description")]
    public async Task Unknown_route()
    {
        using var anon = fx.As(null);
        var problem = await ApiClient.ProblemAsync(await anon.Http.GetAsync("/v1/no-such-thing"), HttpStatusCode.NotFound);
        Assert.Contains("/openapi/v1.json", problem["detail"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Invalid tenant settings are a 400 problem and leave the settings unchanged")]
    public async Task Invalid_settings()
    {
        using var admin = await fx.NewAdminAsync();
        var res = await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { contextBudgetTokens = 10 });
        await ApiClient.ProblemAsync(res, HttpStatusCode.BadRequest);
        // A cleared name field in the console: the tenant would lose the name its people see.
        var blank = await ApiClient.ProblemAsync(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { name = "  " }), HttpStatusCode.BadRequest);
        Assert.Contains("name must not be empty", blank["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var ok = await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { maxOutputTokens = 300 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var settings = await admin.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/v1/tenant/settings");
        Assert.Equal(300, settings!["maxOutputTokens"]!.GetValue<int>());
        Assert.Equal(4000, settings["contextBudgetTokens"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(settings["name"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "A revoked key stops working")]
    public async Task Revoked_key()
    {
        using var admin = await fx.NewAdminAsync();
        await admin.Http.PostAsJsonAsync("/v1/users", new { userId = "temp" });
        var issued = await (await admin.Http.PostAsync("/v1/users/temp/keys", null)).Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonNode>();
        using var temp = fx.As(issued!["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await temp.Http.GetAsync("/v1/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/keys/{issued["keyId"]!.GetValue<string>()}")).StatusCode);
        await ApiClient.ProblemAsync(await temp.Http.GetAsync("/v1/conversations"), HttpStatusCode.Unauthorized);
    }

    [Fact(DisplayName = "A message whose body pauses for several seconds mid-way (a phone on a bad network) is still taken")]
    public async Task Paused_body_is_taken()
    {
        const string body = "{\"text\":\"Hello after a pause\"}";
        var (user, _, response) = await RawMessageAsync(body.Length, body[..5], async stream =>
        {
            await Task.Delay(TimeSpan.FromSeconds(7)); // past Kestrel's default 5 s grace
            await stream.WriteAsync(Encoding.ASCII.GetBytes(body[5..]));
        });
        user.Dispose();
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("event: done", response, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "A message whose body stalls on a bad network is a 408 problem that says what happened and what to do")]
    public async Task Stalled_body_is_a_408_in_words()
    {
        // The headers and the body's first bytes, then nothing: the server's minimum body data rate gives up after its grace period.
        var (user, id, response) = await RawMessageAsync(40, "{\"te", _ => Task.CompletedTask);
        using var _ = user;
        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        var detail = JsonNode.Parse(response[response.IndexOf('{', StringComparison.Ordinal)..response.LastIndexOf('}')] + "}")!["detail"]!.GetValue<string>();
        Assert.Contains("too slowly", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("openapi", detail, StringComparison.Ordinal);
        Assert.Empty(await user.MessagesAsync(id));
    }

    // A message sent over a raw socket: the headers and the body's start, then whatever `rest` does; the whole response.
    private async Task<(ApiClient User, string ConversationId, string Response)> RawMessageAsync(int contentLength, string start, Func<System.Net.Sockets.NetworkStream, Task> rest)
    {
        var (_, key) = await fx.NewTenantKeysAsync();
        var user = fx.As(key);
        var id = await user.CreateConversationAsync();
        var url = new Uri(fx.BaseUrl);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        var stream = tcp.GetStream();
        var head = $"POST /v1/conversations/{id}/messages HTTP/1.1\r\nHost: {url.Authority}\r\nAuthorization: Bearer {key}\r\n" +
                   $"Content-Type: application/json\r\nContent-Length: {contentLength}\r\nConnection: close\r\n\r\n{start}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await rest(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return (user, id, await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
