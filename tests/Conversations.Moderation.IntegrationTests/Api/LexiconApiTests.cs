namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>Tenant admins maintain lexicons; edits apply from the next turn; bad input is a clear 400.</summary>
public sealed class LexiconApiTests(ModerationPlatformFixture fx) : ModerationPlatformTests
{
    [Fact(DisplayName = "A new block lexicon refuses the very next turn; deleting it lets the question through again")]
    public async Task Lexicon_edit_applies_on_the_next_turn()
    {
        var (admin, user, id) = await fx.NewConversationAsync();
        Assert.Equal("done", (await user.SendAsync(id, "What is project Zorblax about?"))[^1].Name);

        var put = await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/projects", new { words = new[] { "zorblax" }, riskLevel = "medium", action = "block" });
        await ApiClient.EnsureAsync(put, HttpStatusCode.OK);
        var version = (await put.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonNode>())!["version"]!.GetValue<long>();
        Assert.Equal(1, version);
        var refused = await user.SendAsync(id, "What is project Z o r b l a x about?");
        Assert.Equal("input_refused", refused[^1].Data["code"]!.GetValue<string>());
        Assert.Equal("medium", refused[^1].Data["riskLevel"]!.GetValue<string>());

        var list = await admin.GetJsonAsync("/v1/moderation/lexicons");
        Assert.Equal(1, list["version"]!.GetValue<long>());
        Assert.Equal("customized", list["lexicons"]![0]!["label"]!.GetValue<string>());

        await ApiClient.EnsureAsync(await admin.Http.DeleteAsync("/v1/moderation/lexicons/projects"), HttpStatusCode.NoContent);
        Assert.Equal("done", (await user.SendAsync(id, "What is project Zorblax about?"))[^1].Name);
        Assert.Equal(2, (await admin.GetJsonAsync("/v1/moderation/lexicons"))["version"]!.GetValue<long>());
    }

    [Fact(DisplayName = "A tenant created again under a deleted tenant's id is moderated by its own lexicons, never the deleted tenant's compiled ones")]
    public async Task Recreated_tenant_gets_its_own_lexicons()
    {
        using var op = fx.Operator();
        var tenantId = TestIds.Tenant("lexr");
        using (var admin = fx.As(await op.CreateTenantAsync(tenantId)))
        using (var user = fx.As(await admin.CreateUserWithKeyAsync("alice")))
        {
            // Three edits: the old tenant's lexicons reach version 3, compiled on the silo by its turns.
            foreach (var words in new[] { "zorblax", "zorblax quixle", "quixle" })
                await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/old",
                    new { words = words.Split(' '), riskLevel = "medium", action = "block" }), HttpStatusCode.OK);
            var id = await user.CreateConversationAsync();
            Assert.Equal("input_refused", (await user.SendAsync(id, "What is project quixle about?"))[^1].Data["code"]?.GetValue<string>());
            Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
        }

        using var again = fx.As(await op.CreateTenantAsync(tenantId));
        using var alice = fx.As(await again.CreateUserWithKeyAsync("alice"));
        var conversation = await alice.CreateConversationAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // past the silo's version check interval
        Assert.Equal("done", (await alice.SendAsync(conversation, "What is project quixle about?"))[^1].Name);
        await ApiClient.EnsureAsync(await again.Http.PutAsJsonAsync("/v1/moderation/lexicons/new",
            new { words = new[] { "blorpt" }, riskLevel = "medium", action = "block" }), HttpStatusCode.OK);
        Assert.Equal("input_refused", (await alice.SendAsync(conversation, "What is project blorpt about?"))[^1].Data["code"]?.GetValue<string>());
        Assert.Equal("done", (await alice.SendAsync(conversation, "What is project quixle about?"))[^1].Name);
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
    }

    [Theory(DisplayName = "Invalid lexicons are a 400 that names the problem")]
    [InlineData("""{"words":["x"],"riskLevel":"high","action":"erase"}""", "action")]
    [InlineData("""{"words":[],"riskLevel":"high","action":"block"}""", "words")]
    [InlineData("""{"words":["!!!"],"riskLevel":"high","action":"block"}""", "letter or digit")]
    [InlineData("""{"words":["x"],"riskLevel":"extreme","action":"block"}""", "riskLevel")]
    [InlineData("""{"words":["x"],"substringWords":["?"],"riskLevel":"high","action":"block"}""", "substringWords")]
    public async Task Invalid_lexicon_is_400(string body, string mentioned)
    {
        var (admin, user) = await fx.NewTenantAsync();
        var res = await admin.Http.PutAsync("/v1/moderation/lexicons/bad", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Contains(mentioned, await res.Content.ReadAsStringAsync());
    }

    [Fact(DisplayName = "Reserved names are a 400, unknown lexicons a 404, and users may not manage lexicons (403)")]
    public async Task Names_and_roles()
    {
        var (admin, user) = await fx.NewTenantAsync();
        var reserved = await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/platform_mine", new { words = new[] { "x" }, riskLevel = "low", action = "mask" });
        Assert.Equal(HttpStatusCode.BadRequest, reserved.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.DeleteAsync("/v1/moderation/lexicons/nothing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/moderation/lexicons/nothing")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Http.GetAsync("/v1/moderation/lexicons")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Http.GetAsync("/v1/moderation/events")).StatusCode);
    }

    [Fact(DisplayName = "One tenant's lexicons do not affect another tenant")]
    public async Task Lexicons_are_per_tenant()
    {
        using var tenantA = await fx.NewTenantAsync();
        using var tenantB = await fx.NewTenantAsync();
        var (adminA, userA) = tenantA;
        var userB = tenantB.User;
        await ApiClient.EnsureAsync(await adminA.Http.PutAsJsonAsync("/v1/moderation/lexicons/codes", new { words = new[] { "quxbaz" }, riskLevel = "high", action = "block" }), HttpStatusCode.OK);
        Assert.Equal("error", (await userA.SendAsync(await userA.CreateConversationAsync(), "about quxbaz"))[^1].Name);
        Assert.Equal("done", (await userB.SendAsync(await userB.CreateConversationAsync(), "about quxbaz"))[^1].Name);
    }
}
