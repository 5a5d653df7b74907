using Conversations.Storage.Chat;

namespace Conversations.IntegrationTests.Api;

/// <summary>The routes the chat page uses besides the turn: who a key names, rename, search, and a cited passage.</summary>
public sealed class WebChatApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "The API host serves the chat app built by its build: page, bundle, styles, manifest and icons")]
    public async Task Chat_app_is_served()
    {
        using var anon = fx.As(null);
        var html = await anon.Http.GetStringAsync("/");
        Assert.Contains("/chat/main.js", html);
        Assert.Contains("/manifest.webmanifest", html);
        Assert.DoesNotContain("https://", html); // nothing from a CDN
        foreach (var (path, type) in new[] { ("/chat/main.js", "text/javascript"), ("/chat/main.css", "text/css"), ("/icons/icon-192.png", "image/png"), ("/icons/icon-512.png", "image/png") })
        {
            var res = await anon.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            Assert.Equal(type, res.Content.Headers.ContentType?.MediaType);
        }
        var manifest = JsonNode.Parse(await anon.Http.GetStringAsync("/manifest.webmanifest"))!;
        Assert.Equal("standalone", manifest["display"]!.GetValue<string>());
        var sizes = manifest["icons"]!.AsArray().Select(i => i!["sizes"]!.GetValue<string>()).ToList();
        Assert.Contains("192x192", sizes);
        Assert.Contains("512x512", sizes);
    }

    [Fact(DisplayName = "GET /v1/me names the tenant, user and role of a user key, and only the role of an operator key; no key is a 401")]
    public async Task Me()
    {
        using var user = await fx.NewUserAsync("me");
        var me = await user.GetJsonAsync("/v1/me");
        Assert.StartsWith("me-", me["tenantId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(me["tenantName"]!.GetValue<string>()));
        Assert.Equal("alice", me["userId"]!.GetValue<string>());
        Assert.Equal("user", me["role"]!.GetValue<string>());

        using var op = fx.Operator();
        var operatorMe = await op.GetJsonAsync("/v1/me");
        Assert.Equal("operator", operatorMe["role"]!.GetValue<string>());
        Assert.Null(operatorMe["tenantId"]);

        using var anonymous = fx.As(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/v1/me")).StatusCode);
    }

    [Fact(DisplayName = "PATCH renames the caller's conversation; an empty title is a 400, and another tenant's conversation is a 404")]
    public async Task Rename()
    {
        using var user = await fx.NewUserAsync("rename");
        using var stranger = await fx.NewUserAsync("rename");
        var id = await user.CreateConversationAsync("first question");

        var renamed = await user.Http.PatchAsJsonAsync($"/v1/conversations/{id}", new { title = "  Leave notes  " });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Leave notes", (await user.GetConversationAsync(id))["conversation"]!["title"]!.GetValue<string>());

        await ApiClient.ProblemAsync(await user.Http.PatchAsJsonAsync($"/v1/conversations/{id}", new { title = " " }), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await user.Http.PatchAsJsonAsync($"/v1/conversations/{id}", new { title = new string('x', 201) }), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await stranger.Http.PatchAsJsonAsync($"/v1/conversations/{id}", new { title = "mine now" }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await user.Http.PatchAsJsonAsync("/v1/conversations/c_nosuchconversation", new { title = "x" }), HttpStatusCode.NotFound);
        Assert.Equal("Leave notes", (await user.GetConversationAsync(id))["conversation"]!["title"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A title is stored as a question is: personal data masked when the conversation is created or renamed, so the list and ?q= never show it")]
    public async Task Title_is_masked()
    {
        using var user = await fx.NewUserAsync("ptitle");
        const string Mail = "dora.private@gmail.com", Phone = "13812345678";
        var id = await user.CreateConversationAsync($"Mail {Mail} about my card");
        var listed = (await user.GetJsonAsync("/v1/conversations"))["conversations"]!.AsArray().Single(c => c!["conversationId"]!.GetValue<string>() == id)!;
        Assert.DoesNotContain(Mail, listed["title"]!.GetValue<string>());
        Assert.StartsWith("Mail ", listed["title"]!.GetValue<string>());
        Assert.Empty((await user.GetJsonAsync("/v1/conversations?q=dora.private"))["conversations"]!.AsArray());

        await ApiClient.EnsureAsync(await user.Http.PatchAsJsonAsync($"/v1/conversations/{id}", new { title = $"Call {Phone}" }), HttpStatusCode.OK);
        var renamed = (await user.GetConversationAsync(id))["conversation"]!["title"]!.GetValue<string>();
        Assert.DoesNotContain(Phone, renamed);
        Assert.StartsWith("Call ", renamed);
    }

    [Fact(DisplayName = "?q= keeps the caller's conversations whose title holds the text, case-insensitively and literally")]
    public async Task Title_search()
    {
        using var user = await fx.NewUserAsync("search");
        using var other = await fx.NewUserAsync("search");
        await user.CreateConversationAsync("Parental leave");
        await user.CreateConversationAsync("50% discount");
        await user.CreateConversationAsync("Travel_policy");
        await other.CreateConversationAsync("Parental leave too");

        async Task<string[]> Titles(ApiClient client, string q) =>
            (await client.GetJsonAsync($"/v1/conversations?q={Uri.EscapeDataString(q)}"))["conversations"]!.AsArray()
                .Select(c => c!["title"]!.GetValue<string>()).Order().ToArray();

        Assert.Equal(["Parental leave"], await Titles(user, "PARENTAL"));
        Assert.Equal(["50% discount"], await Titles(user, "%"));
        Assert.Equal(["Travel_policy"], await Titles(user, "_"));
        Assert.Empty(await Titles(user, "nothing like it"));
        Assert.Equal(3, (await Titles(user, " ")).Length);
        await ApiClient.ProblemAsync(await user.Http.GetAsync($"/v1/conversations?q={new string('a', 201)}"), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "?q= finds text in the caller's messages too, with the text around it; a title match has none, and replaced turns and another user's messages are not searched")]
    public async Task Message_search()
    {
        using var tenant = await fx.NewTenantAsync("msearch");
        var (admin, user) = tenant;
        using var colleague = fx.As(await admin.CreateUserWithKeyAsync("bob"));
        var marker = "zq" + Guid.NewGuid().ToString("n")[..8];
        var asked = await user.CreateConversationAsync("Offsite");
        Assert.Equal("done", (await user.SendAsync(asked, $"Who signs off the {marker} budget for the offsite?"))[^1].Name);
        var edited = await user.CreateConversationAsync("Edited");
        Assert.Equal("done", (await user.SendAsync(edited, $"A first draft about {marker}", "turn-a"))[^1].Name);
        using (var edit = await user.Http.PostAsJsonAsync($"/v1/conversations/{edited}/messages", new { text = "The question as meant", turnId = "turn-b", replaces = "turn-a" }))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
            Assert.Equal("done", (await ApiClient.ReadEventsAsync(await edit.Content.ReadAsStreamAsync()))[^1].Name);
        }
        var titled = await user.CreateConversationAsync($"Notes on {marker.ToUpperInvariant()}");
        Assert.Equal("done", (await colleague.SendAsync(await colleague.CreateConversationAsync("Bob's"), $"My own {marker} note"))[^1].Name);

        var found = (await user.GetJsonAsync($"/v1/conversations?q={marker.ToUpperInvariant()}"))["conversations"]!.AsArray();
        Assert.Equal([titled, asked], found.Select(c => c!["conversationId"]!.GetValue<string>()));
        Assert.False(found[0]!.AsObject().ContainsKey("match"));
        Assert.Equal($"Who signs off the {marker} budget for the offsite?", found[1]!["match"]!.GetValue<string>());

        // Pages of a search go on where the last one ended.
        var first = await user.GetJsonAsync($"/v1/conversations?q={marker}&limit=1");
        Assert.Equal(titled, first["conversations"]![0]!["conversationId"]!.GetValue<string>());
        var second = await user.GetJsonAsync($"/v1/conversations?q={marker}&limit=1&cursor={Uri.EscapeDataString(first["nextCursor"]!.GetValue<string>())}");
        Assert.Equal(asked, second["conversations"]![0]!["conversationId"]!.GetValue<string>());

        // The edited question is found; the one it replaced is not. Outside a search no conversation has a match.
        Assert.Equal([edited], (await user.GetJsonAsync("/v1/conversations?q=question%20as%20meant"))["conversations"]!.AsArray().Select(c => c!["conversationId"]!.GetValue<string>()));
        Assert.All((await user.GetJsonAsync("/v1/conversations"))["conversations"]!.AsArray(), c => Assert.False(c!.AsObject().ContainsKey("match")));
    }

    [Fact(DisplayName = "A search reads a bounded number of conversations per request: past it the page is empty with a next cursor, and the next page finds the older match")]
    public async Task Search_work_is_bounded()
    {
        using var user = await fx.NewUserAsync("sbound");
        var marker = "zb" + Guid.NewGuid().ToString("n")[..8];
        var oldest = await user.CreateConversationAsync($"About {marker}");
        await Parallel.ForEachAsync(Enumerable.Range(0, ConversationStore.SearchScanLimit), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await user.CreateConversationAsync($"Filler {i}", ct));

        var first = await user.GetJsonAsync($"/v1/conversations?q={marker}&limit=20");
        Assert.Empty(first["conversations"]!.AsArray());
        var cursor = first["nextCursor"]!.GetValue<string>();
        var second = await user.GetJsonAsync($"/v1/conversations?q={marker}&limit=20&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal([oldest], second["conversations"]!.AsArray().Select(c => c!["conversationId"]!.GetValue<string>()));
        Assert.Null(second["nextCursor"]);
    }

    [Fact(DisplayName = "A passage holding a blocked lexicon word shows its text up to the withheld part, flagged withheld with a passage's notice, never an answer's")]
    public async Task Passage_with_a_blocked_word_is_shown_up_to_it()
    {
        var (admin, user) = await fx.NewTenantAsync("pblock");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new
                {
                    id = "leave", title = "Leave policy", label = "public",
                    content = "Parental leave is sixteen weeks at full pay. Requests go to your manager. The vault word is zorblaxite, keep it. Nothing else.",
                },
            },
        }), HttpStatusCode.OK);
        var clean = await user.GetJsonAsync("/v1/knowledge/passages/leave/0");
        Assert.False(clean["withheld"]?.GetValue<bool>() ?? false);
        Assert.Contains("zorblaxite", clean["text"]!.GetValue<string>());

        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/vault",
            new { words = new[] { "zorblaxite" }, riskLevel = "high", action = "block" }), HttpStatusCode.OK);
        JsonNode passage = clean;
        for (var i = 0; i < 50 && !(passage["withheld"]?.GetValue<bool>() ?? false); i++, await Task.Delay(100))
            passage = await user.GetJsonAsync("/v1/knowledge/passages/leave/0");
        Assert.True(passage["withheld"]!.GetValue<bool>(), passage.ToJsonString());
        var text = passage["text"]!.GetValue<string>();
        // The text before the blocked word is shown; the word and what follows are not.
        Assert.StartsWith("Parental leave is sixteen weeks at full pay. Requests go to your manager.", text);
        Assert.DoesNotContain("zorblaxite", text);
        Assert.DoesNotContain("keep it", text);
        Assert.Equal("The rest of this passage contains text your organisation does not allow to be shown.", passage["notice"]!.GetValue<string>());
        Assert.DoesNotContain("answer", passage.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact(DisplayName = "A cited passage opens for a reader of its label; a label the user may not read, and another tenant's passage, are 404")]
    public async Task Passage()
    {
        var (admin, user) = await fx.NewTenantAsync("passage");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }), HttpStatusCode.OK);
        var upload = await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "leave", title = "Leave policy", label = "public", content = "Parental leave is sixteen weeks at full pay." },
                new { id = "salaries", title = "Salary bands", label = "confidential", content = "Directors earn within band D2." },
            },
        });
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());

        var passage = await user.GetJsonAsync("/v1/knowledge/passages/leave/0");
        Assert.Equal("Leave policy", passage["title"]!.GetValue<string>());
        Assert.Equal(0, passage["chunkIndex"]!.GetValue<int>());
        Assert.Contains("sixteen weeks", passage["text"]!.GetValue<string>());

        await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/knowledge/passages/salaries/0"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/knowledge/passages/leave/7"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/knowledge/passages/leave/-1"), HttpStatusCode.NotFound);

        // Another tenant's admin reads everything of its own tenant, and nothing of this one.
        using var strangerAdmin = await fx.NewAdminAsync("passage");
        await ApiClient.ProblemAsync(await strangerAdmin.Http.GetAsync("/v1/knowledge/passages/leave/0"), HttpStatusCode.NotFound);

        // Revoking the grant closes the passage at once.
        await ApiClient.EnsureAsync(await admin.Http.DeleteAsync("/v1/acl/roles/staff/grants/public"), HttpStatusCode.OK);
        await ApiClient.ProblemAsync(await user.Http.GetAsync("/v1/knowledge/passages/leave/0"), HttpStatusCode.NotFound);
    }
}
