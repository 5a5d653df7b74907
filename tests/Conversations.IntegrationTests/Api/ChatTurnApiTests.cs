namespace Conversations.IntegrationTests.Api;

/// <summary>The chat turn over real HTTP against a real platform process and PostgreSQL.</summary>
public sealed class ChatTurnApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "A send and a deletion of its conversation at once: a 404 or 503 problem, or a stream that ends whole with one last event; never a 500 or a torn response")]
    public async Task Send_and_delete_at_once_end_whole()
    {
        for (var round = 0; round < 12; round++)
        {
            var (user, id) = await fx.NewConversationAsync();
            async Task<List<SseEvent>?> SendAsync()
            {
                using var res = await user.PostMessageAsync(id, "How long is parental leave?");
                // The deletion came first (404), or took the conversation while the question was on its way: the
                // message was not confirmed as saved (503, a problem that says so); never a 500.
                if (res.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable)
                {
                    await ApiClient.ProblemAsync(res, res.StatusCode);
                    return null;
                }
                await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
                return await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync()); // a torn response throws here
            }
            var send = SendAsync();
            var delete = user.Http.DeleteAsync($"/v1/conversations/{id}");
            if (await send is { } events)
            {
                Assert.Contains(events[^1].Name, new[] { "done", "error" });
                Assert.Equal(1, events.Count(e => e.Name is "done" or "error"));
                // Cut off by the deletion, the stream says so for good (not_found), not "reconnect to resume".
                Assert.DoesNotContain(events, e => e.Name == "error" && e.Data["code"]?.GetValue<string>() == "stream_failed");
            }
            Assert.Equal(HttpStatusCode.NoContent, (await delete).StatusCode);
        }
    }

    [Fact(DisplayName = "A turn streams progress, deltas and a done event with usage, and both messages are stored")]
    public async Task Turn_streams_and_is_stored()
    {
        var (user, id) = await fx.NewConversationAsync();
        var turnId = Guid.NewGuid().ToString("n");

        var events = await user.SendAsync(id, "The quarterly report is due on Friday. When is the report due?", turnId);

        Assert.Equal("progress", events[0].Name);
        Assert.Contains(events, e => e.Name == "delta");
        var done = events[^1];
        Assert.True(done.Name == "done", events.Dump());
        Assert.DoesNotContain(events, e => e.Name == "error");
        // The extractive responder is no model: the usage is what was billed (none), the same in the live stream, in a
        // replay of the stored turn and in the ledger.
        Assert.Equal("extractive", done.Data["model"]!.GetValue<string>());
        Assert.Equal(0, done.Data["usage"]!["promptTokens"]!.GetValue<int>() + done.Data["usage"]!["completionTokens"]!.GetValue<int>());
        using var replay = await user.GetTurnEventsAsync(id, turnId, null);
        var replayed = (await ApiClient.ReadEventsAsync(await replay.Content.ReadAsStreamAsync()))[^1];
        Assert.Equal(done.Data["usage"]!.ToJsonString(), replayed.Data["usage"]!.ToJsonString());

        var conversation = await user.GetConversationAsync(id);
        var messages = conversation["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("user", messages[0]!["role"]!.GetValue<string>());
        Assert.Equal("assistant", messages[1]!["role"]!.GetValue<string>());
        Assert.Equal(events.AnswerText(), messages[1]!["content"]!.GetValue<string>());
    }

    [Fact(DisplayName = "The extractive responder quotes earlier context relevant to the question and says no model runs")]
    public async Task Extractive_answer_uses_context()
    {
        var (user, id) = await fx.NewConversationAsync();
        await user.SendAsync(id, "Our office wifi password rotates every Monday morning.");
        var events = await user.SendAsync(id, "When does the wifi password rotate?");
        var answer = events.AnswerText();
        Assert.Contains("without a language model", answer);
        Assert.Contains("rotates every Monday", answer);
    }

    [Fact(DisplayName = "History pages back with ?before= and returns every message exactly once, in order")]
    public async Task History_is_paged()
    {
        var (user, id) = await fx.NewConversationAsync();
        for (var i = 0; i < 4; i++) await user.SendAsync(id, $"message number {i}");

        var seqs = new List<long>();
        long? before = null;
        do
        {
            var page = (await user.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>(
                $"/v1/conversations/{id}?limit=3" + (before is null ? "" : $"&before={before}")))!;
            seqs.InsertRange(0, page["messages"]!.AsArray().Select(m => m!["seq"]!.GetValue<long>()));
            before = page["nextBefore"]?.GetValue<long>();
        } while (before is not null);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), seqs);
    }

    [Fact(DisplayName = "Listing shows only the caller's own conversations, and delete removes one (then 404)")]
    public async Task List_and_delete()
    {
        var (admin, user, mine) = await fx.NewConversationAsync(title: "mine");
        await admin.CreateConversationAsync("admin's");

        var list = (await user.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/v1/conversations"))!["conversations"]!.AsArray();
        Assert.Equal([mine], list.Select(c => c!["conversationId"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/v1/conversations/{mine}")).StatusCode);
        await ApiClient.ProblemAsync(await user.Http.GetAsync($"/v1/conversations/{mine}"), HttpStatusCode.NotFound);
    }

    [Fact(DisplayName = "A create sent again with the same Idempotency-Key returns the same conversation; another caller's same key is another; a malformed key is a 400")]
    public async Task Create_with_an_idempotency_key_is_made_once()
    {
        var (admin, user, mine) = await fx.NewConversationAsync(title: "mine");
        async Task<HttpResponseMessage> CreateAsync(ApiClient caller, string key, string title)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, "/v1/conversations") { Content = JsonContent.Create(new { title }) };
            req.Headers.Add("Idempotency-Key", key);
            return await caller.Http.SendAsync(req);
        }
        async Task<string> IdOfAsync(HttpResponseMessage res)
        {
            await ApiClient.EnsureAsync(res, HttpStatusCode.Created);
            return (await res.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonNode>())!["conversationId"]!.GetValue<string>();
        }

        var first = await IdOfAsync(await CreateAsync(user, "create-1", "Lost answer"));
        var again = await IdOfAsync(await CreateAsync(user, "create-1", "Lost answer"));
        Assert.Equal(first, again);
        Assert.NotEqual(first, await IdOfAsync(await CreateAsync(user, "create-2", "Another")));
        Assert.NotEqual(first, await IdOfAsync(await CreateAsync(admin, "create-1", "Lost answer")));
        var list = (await user.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/v1/conversations"))!["conversations"]!.AsArray()
            .Select(c => c!["conversationId"]!.GetValue<string>()).ToList();
        Assert.Equal(3, list.Count);
        Assert.Contains(first, list);
        Assert.Contains(mine, list);
        await ApiClient.ProblemAsync(await CreateAsync(user, "not a key", "x"), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "OpenAPI document is served and lists the message route")]
    public async Task OpenApi_is_served()
    {
        using var anon = fx.As(null);
        var doc = await anon.Http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/conversations/{conversationId}/messages", doc);
    }

    [Fact(DisplayName = "The web page is served at the root")]
    public async Task Web_page_is_served()
    {
        using var anon = fx.As(null);
        var html = await anon.Http.GetStringAsync("/");
        Assert.Contains("<title>Conversations</title>", html);
    }

    [Fact(DisplayName = "A second turn sent while one streams is refused with a 409 problem before any stream starts, not interleaved")]
    public async Task Concurrent_turns_on_one_conversation()
    {
        var (user, id) = await fx.NewConversationAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => user.PostMessageAsync(id, $"parallel {i}")));
        var completed = 0;
        foreach (var res in responses)
        {
            using var _ = res;
            if (res.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                await ApiClient.ProblemAsync(res, System.Net.HttpStatusCode.Conflict);
                continue;
            }
            await ApiClient.EnsureAsync(res, System.Net.HttpStatusCode.OK);
            Assert.Equal("done", (await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync()))[^1].Name);
            completed++;
        }
        Assert.True(completed >= 1);
        var stored = (await user.GetConversationAsync(id))["messages"]!.AsArray();
        Assert.Equal(completed * 2, stored.Count);
    }

    [Fact(DisplayName = "Chinese text round-trips through the stream and the log unchanged")]
    public async Task Chinese_round_trip()
    {
        var (user, id) = await fx.NewConversationAsync(title: "中文");
        await user.SendAsync(id, "公司的年假政策是每年十五天。");
        var events = await user.SendAsync(id, "年假政策是多少天？");
        Assert.Contains("年假政策", events.AnswerText());
        var stored = (await user.GetConversationAsync(id))["messages"]!.AsArray();
        Assert.Equal("公司的年假政策是每年十五天。", stored[0]!["content"]!.GetValue<string>());
        _ = Encoding.UTF8;
    }
}
