using System.Security.Cryptography;

namespace Conversations.IntegrationTests.Api;

/// <summary>
/// Turns outlive their connections, through real HTTP against two API hosts of one cluster and a test model that writes
/// slowly: resume by event id, cancel, idempotent sends, a 409 for a second turn, citations in history.
/// </summary>
public sealed class TurnLifecycleTests(TurnPlatformFixture fx) : IClassFixture<TurnPlatformFixture>
{
    private const string Question = "Tell me about the quarterly plan";

    // Reads the POST stream until it holds the given number of deltas, then drops the connection; returns what arrived and the turn's id.
    private static async Task<(List<SseEvent> Events, string TurnId)> SendAndCutAsync(ApiClient client, string conversationId, string text, int deltas, string? turnId = null)
    {
        using var res = await client.PostMessageAsync(conversationId, text, turnId: turnId);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var id = res.Headers.GetValues("Turn-Id").Single();
        using var cts = new CancellationTokenSource();
        var events = new List<SseEvent>();
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(), Encoding.UTF8);
        string? name = null, eventId = null;
        while (events.Count(e => e.Name == "delta") < deltas && await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) eventId = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                // The id may follow the data line; read to the blank line that ends the event.
                var data = line[6..];
                while (await reader.ReadLineAsync() is { Length: > 0 } more)
                    if (more.StartsWith("id: ", StringComparison.Ordinal)) eventId = more[4..];
                events.Add(new SseEvent(name!, JsonNode.Parse(data)!, eventId));
                Assert.False(name is "done" or "error", "the answer ended before the client left: " + events.Dump());
                (name, eventId) = (null, null);
            }
        }
        return (events, id); // disposing the response mid-stream closes the connection
    }

    private static async Task<JsonArray> WaitForAnswerAsync(ApiClient user, string conversationId, int messages)
    {
        for (var i = 0; i < 150; i++)
        {
            var stored = await user.MessagesAsync(conversationId);
            if (stored.Count >= messages) return stored;
            await Task.Delay(100);
        }
        return await user.MessagesAsync(conversationId);
    }

    [Fact(DisplayName = "A stream cut mid-answer and resumed with Last-Event-ID through another API host ends with the same text as an uncut one, and the same stored message")]
    public async Task Cut_stream_resumes_on_another_host()
    {
        var (_, userKey) = await fx.NewTenantKeysAsync("tr");
        using var user = fx.As(userKey);
        var uncut = await user.SendAsync(await user.CreateConversationAsync(), Question);
        uncut.Done();

        var id = await user.CreateConversationAsync();
        var (seen, turnId) = await SendAndCutAsync(user, id, Question, deltas: 4);
        Assert.All(seen, e => Assert.False(string.IsNullOrEmpty(e.Id), "every event has an id"));
        using var elsewhere = fx.OnSecondHost(userKey);
        var all = await elsewhere.ResumeUntilEndAsync(id, turnId, seen);

        var done = all.Done();
        Assert.Equal(uncut.AnswerText(), all.AnswerText());
        Assert.Equal(all.Count, all.Select(e => e.Id).Distinct().Count()); // no event twice
        var stored = await user.MessagesAsync(id);
        Assert.Equal(2, stored.Count);
        Assert.Equal(all.AnswerText(), stored[1]!["content"]!.GetValue<string>());
        Assert.Equal("complete", stored[1]!["status"]!.GetValue<string>());
        Assert.Equal(done["assistantMessageSeq"]!.GetValue<long>(), stored[1]!["seq"]!.GetValue<long>());
    }

    [Fact(DisplayName = "A turn whose client left runs to its end and is stored complete; ?after= replays the rest of it afterwards")]
    public async Task Left_turn_completes()
    {
        var (user, id) = await fx.NewConversationAsync("tl");
        var (seen, turnId) = await SendAndCutAsync(user, id, Question, deltas: 2);

        // While it still runs (the model writes slowly): an id it never sent is a 400 at once, not a stream that waits,
        // and an after= that names another event than Last-Event-ID is a 400 too.
        var problem = await ApiClient.ProblemAsync(await user.GetTurnEventsAsync(id, turnId, "9999.0.0"), HttpStatusCode.BadRequest);
        Assert.Contains("never sent", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using (var both = new HttpRequestMessage(HttpMethod.Get, $"/v1/conversations/{id}/turns/{turnId}/events?after={Uri.EscapeDataString(seen[0].Id!)}"))
        {
            both.Headers.Add("Last-Event-ID", seen[^1].Id);
            await ApiClient.ProblemAsync(await user.Http.SendAsync(both), HttpStatusCode.BadRequest);
        }

        var stored = await WaitForAnswerAsync(user, id, 2);
        Assert.Equal("complete", stored[^1]!["status"]!.GetValue<string>());
        var res = await user.Http.GetAsync($"/v1/conversations/{id}/turns/{turnId}/events?after={Uri.EscapeDataString(seen[^1].Id!)}");
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var rest = await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
        rest.Done();
        Assert.Equal(stored[^1]!["content"]!.GetValue<string>(), seen.AnswerText() + rest.AnswerText());
    }

    [Fact(DisplayName = "Last-Event-ID past the end of a finished turn is a 400 naming its last event; its last event's id replays nothing and ends")]
    public async Task Resume_past_the_end_is_refused()
    {
        var (user, id) = await fx.NewConversationAsync("te");
        var events = await user.SendAsync(id, Question);
        var turnId = events.Done()["turnId"]!.GetValue<string>();
        var last = events[^1].Id!;
        var parts = last.Split('.');
        var beyond = $"{int.Parse(parts[0], CultureInfo.InvariantCulture) + 1}.{parts[1]}.{parts[2]}";

        foreach (var claimed in new[] { beyond, "9999.0.0" })
        {
            var problem = await ApiClient.ProblemAsync(await user.GetTurnEventsAsync(id, turnId, claimed), HttpStatusCode.BadRequest);
            Assert.Contains(last, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            var viaQuery = await user.Http.GetAsync($"/v1/conversations/{id}/turns/{turnId}/events?after={Uri.EscapeDataString(claimed)}");
            await ApiClient.ProblemAsync(viaQuery, HttpStatusCode.BadRequest);
        }

        // The last event's own id: nothing more to send, and the stream ends (as before).
        using var atEnd = await user.GetTurnEventsAsync(id, turnId, last);
        await ApiClient.EnsureAsync(atEnd, HttpStatusCode.OK);
        Assert.Empty(await ApiClient.ReadEventsAsync(await atEnd.Content.ReadAsStreamAsync()));
        // An earlier id still replays the rest, ending with done.
        using var earlier = await user.GetTurnEventsAsync(id, turnId, events[0].Id);
        await ApiClient.EnsureAsync(earlier, HttpStatusCode.OK);
        Assert.Equal("done", (await ApiClient.ReadEventsAsync(await earlier.Content.ReadAsStreamAsync()))[^1].Name);
    }

    [Fact(DisplayName = "A turn read back from storage (four newer turns pushed it out of memory) refuses a Last-Event-ID past its text or citations, or at the top of the id range; a real one replays the rest")]
    public async Task Resume_of_a_stored_turn_checks_the_position()
    {
        var (user, id) = await fx.NewConversationAsync("tes");
        var first = await user.SendAsync(id, Question);
        var turnId = first.Done()["turnId"]!.GetValue<string>();
        for (var i = 0; i < 4; i++) await user.SendAsync(id, $"{Question} ({i})");
        var answer = first.AnswerText().Length;

        foreach (var claimed in new[] { $"3.{answer + 1}.0", "3.0.99", "2000000000.0.0" })
        {
            var problem = await ApiClient.ProblemAsync(await user.GetTurnEventsAsync(id, turnId, claimed), HttpStatusCode.BadRequest);
            Assert.Contains("was never sent", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        using var earlier = await user.GetTurnEventsAsync(id, turnId, "1.0.0");
        await ApiClient.EnsureAsync(earlier, HttpStatusCode.OK);
        Assert.Equal("done", (await ApiClient.ReadEventsAsync(await earlier.Content.ReadAsStreamAsync()))[^1].Name);
    }

    [Fact(DisplayName = "A turn read back from storage ends as the live stream ended: its final event keeps the live id (a resume from it gets nothing more, not a second done) and its finish reason ('length' for an answer cut at the output cap)")]
    public async Task Stored_turn_ends_as_the_live_one()
    {
        var (admin, user) = await fx.NewTenantAsync("tf");
        await admin.PatchSettingsAsync(new { maxOutputTokens = 16 }); // the model writes 60
        var id = await user.CreateConversationAsync("capped");
        var live = await user.SendAsync(id, Question);
        var done = live.Done();
        Assert.Equal("length", done["finishReason"]!.GetValue<string>());
        var turnId = done["turnId"]!.GetValue<string>();
        for (var i = 0; i < 4; i++) await user.SendAsync(id, $"{Question} ({i})"); // pushes the turn out of memory

        // From the live stream's done: the turn is over, nothing is sent (the stored replay used to send done again).
        using (var atEnd = await user.GetTurnEventsAsync(id, turnId, live[^1].Id))
        {
            await ApiClient.EnsureAsync(atEnd, HttpStatusCode.OK);
            Assert.Empty(await ApiClient.ReadEventsAsync(await atEnd.Content.ReadAsStreamAsync()));
        }
        // From the start: the same text, and a done with the live one's id and finish reason.
        using var replay = await user.GetTurnEventsAsync(id, turnId, "1.0.0");
        await ApiClient.EnsureAsync(replay, HttpStatusCode.OK);
        var replayed = await ApiClient.ReadEventsAsync(await replay.Content.ReadAsStreamAsync());
        Assert.Equal(live.AnswerText(), replayed.AnswerText());
        Assert.Equal(live[^1].Id, replayed[^1].Id);
        Assert.Equal("length", replayed.Done()["finishReason"]!.GetValue<string>());
        // And a resume from the replay's own done is a resume from the end as well.
        using var again = await user.GetTurnEventsAsync(id, turnId, replayed[^1].Id);
        await ApiClient.EnsureAsync(again, HttpStatusCode.OK);
        Assert.Empty(await ApiClient.ReadEventsAsync(await again.Content.ReadAsStreamAsync()));
    }

    [Fact(DisplayName = "A retried send with the same turnId (while live, and after it finished) is the same turn: nothing is added to history")]
    public async Task Retried_send_is_the_same_turn()
    {
        var (user, id) = await fx.NewConversationAsync("ti");
        const string turnId = "retry-turn-1";
        var (_, first) = await SendAndCutAsync(user, id, Question, deltas: 2, turnId: turnId);
        Assert.Equal(turnId, first);

        // While live: the retry joins the running turn from its start.
        var live = await user.SendAsync(id, Question, turnId);
        live.Done();
        Assert.Equal(2, (await user.MessagesAsync(id)).Count);

        // After it finished: the stored answer is replayed, and still nothing is added.
        var replay = await user.SendAsync(id, Question, turnId);
        Assert.Equal(live.AnswerText(), replay.AnswerText());
        Assert.Equal(live.Done()["assistantMessageSeq"]!.GetValue<long>(), replay.Done()["assistantMessageSeq"]!.GetValue<long>());
        var stored = await user.MessagesAsync(id);
        Assert.Equal(2, stored.Count);
        Assert.Equal(1, stored.Count(m => m!["role"]!.GetValue<string>() == "user"));

        // The Idempotency-Key header does the same for a client that sends no turnId.
        using var keyed = new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{id}/messages") { Content = JsonContent.Create(new { text = Question }) };
        keyed.Headers.Add("Idempotency-Key", turnId);
        using var again = await user.Http.SendAsync(keyed);
        await ApiClient.EnsureAsync(again, HttpStatusCode.OK);
        Assert.Equal(live.AnswerText(), (await ApiClient.ReadEventsAsync(await again.Content.ReadAsStreamAsync())).AnswerText());
        Assert.Equal(2, (await user.MessagesAsync(id)).Count);

        // Two keys in one request name two turns: a 400 on both front doors, and nothing is asked.
        using var twice = new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{id}/messages") { Content = JsonContent.Create(new { text = "Another question?" }) };
        twice.Headers.Add("Idempotency-Key", ["k-one", "k-two"]);
        var problem = await ApiClient.ProblemAsync(await user.Http.SendAsync(twice), HttpStatusCode.BadRequest);
        Assert.Contains("more than once", problem["detail"]!.GetValue<string>());
        using var openAi = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "auto", messages = new[] { new { role = "user", content = "Another question?" } } }),
        };
        openAi.Headers.Add("Idempotency-Key", ["k-one", "k-two"]);
        using var refused = await user.Http.SendAsync(openAi);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("more than once", (await refused.Content.ReadFromJsonAsync<JsonNode>())!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(2, (await user.MessagesAsync(id)).Count);
    }

    [Fact(DisplayName = "Sends of one turn id that arrive together (a client retrying before the first reached the server) are one turn: one question, one answer, every stream ends with it")]
    public async Task Concurrent_sends_of_one_turn_are_one_turn()
    {
        for (var round = 0; round < 3; round++)
        {
            var (user, id) = await fx.NewConversationAsync("tc");
            var turnId = $"together-{round}";
            var sends = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => user.SendAsync(id, Question, turnId)));
            var stored = await user.MessagesAsync(id);
            Assert.Equal(["user", "assistant"], stored.Select(m => m!["role"]!.GetValue<string>()));
            var seq = stored[1]!["seq"]!.GetValue<long>();
            Assert.All(sends, s => Assert.Equal(seq, s.Done()["assistantMessageSeq"]!.GetValue<long>()));
            Assert.All(sends, s => Assert.Equal(stored[1]!["content"]!.GetValue<string>(), s.AnswerText()));
        }
    }

    [Fact(DisplayName = "A conversation deleted while its answer streams: the stream ends whole with a last event, never as a torn response, and the conversation is gone")]
    public async Task Deleted_mid_answer_ends_the_stream_whole()
    {
        // The answer takes about 2.5 s; the deletions land from its first event to just past its end.
        for (var round = 0; round < 9; round += 2)
        {
            var (user, id) = await fx.NewConversationAsync("td");
            using var res = await user.PostMessageAsync(id, Question);
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            var read = ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync()); // a torn response throws here
            await Task.Delay(TimeSpan.FromMilliseconds(320 * round));
            Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/v1/conversations/{id}")).StatusCode);
            var events = await read;
            Assert.Contains(events[^1].Name, new[] { "done", "error" });
            Assert.Equal(1, events.Count(e => e.Name is "done" or "error"));
            // Cut off by the deletion, the stream says so for good (not_found), not "reconnect to resume".
            Assert.DoesNotContain(events, e => e.Name == "error" && e.Data["code"]?.GetValue<string>() == "stream_failed");
            Assert.All(events.Where(e => e.Name == "error"), e => Assert.False(e.Data["retryable"]!.GetValue<bool>(), e.Data.ToJsonString()));
            Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/v1/conversations/{id}")).StatusCode);
        }
    }

    [Fact(DisplayName = "A resume of a turn whose conversation was deleted meanwhile is a 404 with code not_found, as a send into it is; a turn not started yet in a living conversation is a 404 without it")]
    public async Task Resume_after_the_conversation_was_deleted_is_not_found()
    {
        var (user, id) = await fx.NewConversationAsync("rd");
        var (seen, turnId) = await SendAndCutAsync(user, id, Question, deltas: 2);
        using (var unknown = await user.GetTurnEventsAsync(id, Guid.NewGuid().ToString("n"), null))
            Assert.Null((await ApiClient.ProblemAsync(unknown, HttpStatusCode.NotFound))["code"]);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/v1/conversations/{id}")).StatusCode);
        using var resumed = await user.GetTurnEventsAsync(id, turnId, seen[^1].Id);
        var problem = await ApiClient.ProblemAsync(resumed, HttpStatusCode.NotFound);
        Assert.Equal("not_found", problem["code"]!.GetValue<string>());
        // The same for another tenant's user: nothing tells a deleted conversation from one that was never theirs.
        using var stranger = await fx.NewUserAsync("rs");
        using var foreign = await stranger.GetTurnEventsAsync(id, turnId, null);
        Assert.Equal("not_found", (await ApiClient.ProblemAsync(foreign, HttpStatusCode.NotFound))["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A tenant deleted while its answer streams: the stream ends whole with a last error tenant_deleted, not retryable, never stream_failed's invitation to resume")]
    public async Task Tenant_deleted_mid_answer_ends_the_stream_for_good()
    {
        using var op = fx.Operator();
        var tenantId = TestIds.Tenant("tdt");
        using var admin = fx.As(await op.CreateTenantAsync(tenantId));
        using var user = fx.As(await admin.CreateUserWithKeyAsync("alice"));
        var id = await user.CreateConversationAsync("doomed");
        using var res = await user.PostMessageAsync(id, Question);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var read = ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync()); // a torn response throws here
        // The answer takes about 2.5 s: the tenant goes in the middle of it.
        await Task.Delay(TimeSpan.FromMilliseconds(900));
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{tenantId}")).StatusCode);
        var events = await read;
        var last = events[^1];
        Assert.Equal("error", last.Name);
        Assert.Equal(("tenant_deleted", false), (last.Data["code"]!.GetValue<string>(), last.Data["retryable"]!.GetValue<bool>()));
        Assert.DoesNotContain(events, e => e.Name == "error" && e.Data["code"]?.GetValue<string>() == "stream_failed");
        Assert.Equal(1, events.Count(e => e.Name is "done" or "error"));
    }

    [Fact(DisplayName = "A turn id sent again with a different message is a 422 idempotency_key_reused (while live, and after it finished); the other text is not stored")]
    public async Task Reused_turn_id_with_another_message_is_422()
    {
        var (user, id) = await fx.NewConversationAsync("tm");
        const string turnId = "reused-turn-1", other = "Something else entirely";
        await SendAndCutAsync(user, id, Question, deltas: 2, turnId: turnId);

        // While live: refused before any stream, and the running turn goes on.
        using var live = await user.PostMessageAsync(id, other, turnId: turnId);
        var problem = await ApiClient.ProblemAsync(live, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency_key_reused", problem["code"]!.GetValue<string>());
        Assert.Contains("different message", problem["detail"]!.GetValue<string>());
        (await user.ResumeUntilEndAsync(id, turnId, [])).Done();

        // After it finished, by the Idempotency-Key header: refused, not the first question's answer.
        using var keyed = new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{id}/messages") { Content = JsonContent.Create(new { text = other }) };
        keyed.Headers.Add("Idempotency-Key", turnId);
        using var after = await user.Http.SendAsync(keyed);
        Assert.Equal("idempotency_key_reused", (await ApiClient.ProblemAsync(after, HttpStatusCode.UnprocessableEntity))["code"]!.GetValue<string>());
        // The same message is still the same turn.
        (await user.SendAsync(id, Question, turnId)).Done();

        var stored = await user.MessagesAsync(id);
        Assert.Equal(2, stored.Count);
        Assert.DoesNotContain(stored, m => m!["content"]!.GetValue<string>().Contains(other, StringComparison.Ordinal));
    }

    [Fact(DisplayName = "The turn id the platform answered with, sent back with another message, is a 422 too")]
    public async Task Platform_chosen_turn_id_reused_with_another_message_is_422()
    {
        var (user, id) = await fx.NewConversationAsync("tp");
        string turnId;
        using (var first = await user.PostMessageAsync(id, Question))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            turnId = first.Headers.GetValues("Turn-Id").Single();
            Assert.Contains("event: done", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var reused = await user.PostMessageAsync(id, "Something else entirely", turnId: turnId);
        Assert.Equal("idempotency_key_reused", (await ApiClient.ProblemAsync(reused, HttpStatusCode.UnprocessableEntity))["code"]!.GetValue<string>());
        (await user.SendAsync(id, Question, turnId)).Done();
        Assert.Equal(2, (await user.MessagesAsync(id)).Count);
    }

    [Fact(DisplayName = "The request fingerprint a keyed question is stored with is a keyed hash, not the SHA-256 of its text")]
    public async Task Stored_fingerprint_is_keyed()
    {
        var (user, id) = await fx.NewConversationAsync("tf");
        const string turnId = "keyed-turn-1";
        (await user.SendAsync(id, Question, turnId)).Done();

        await using var db = new NpgsqlConnection(fx.Database.ConnectionString);
        await db.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT request_fingerprint FROM messages WHERE conversation_id = @c AND role = 'user'", db);
        read.Parameters.AddWithValue("c", id);
        var fingerprint = (string)(await read.ExecuteScalarAsync())!;
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.NotEqual(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Question))).ToLowerInvariant(), fingerprint);

    }

    [Fact(DisplayName = "A second turn while one runs gets a 409 problem before any stream starts; history and cancel are served meanwhile")]
    public async Task Concurrent_turn_is_409()
    {
        var (user, id) = await fx.NewConversationAsync("tc");
        var (_, turnId) = await SendAndCutAsync(user, id, Question, deltas: 1);

        using var second = await user.PostMessageAsync(id, "something else", turnId: "another-turn");
        var problem = await ApiClient.ProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Equal(turnId, problem["turnId"]!.GetValue<string>());
        // The grain answers other calls while its turn runs: history holds the question and not yet the answer.
        Assert.Single(await user.MessagesAsync(id));
        var rest = await user.ResumeUntilEndAsync(id, turnId, []);
        rest.Done();
    }

    [Fact(DisplayName = "Cancel stops the model call: the partial answer is stored as stopped, the stream ends with done 'stopped', and the ledger bills the call")]
    public async Task Cancel_keeps_a_stopped_answer()
    {
        var (admin, user, id) = await fx.NewConversationAsync("tx");
        var (seen, turnId) = await SendAndCutAsync(user, id, Question, deltas: 3);

        var cancel = await user.Http.PostAsync($"/v1/conversations/{id}/turns/{turnId}/cancel", null);
        await ApiClient.EnsureAsync(cancel, HttpStatusCode.OK);
        Assert.Equal("stopped", (await cancel.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());

        var all = await user.ResumeUntilEndAsync(id, turnId, seen);
        var done = all.Done();
        Assert.Equal("stopped", done["finishReason"]!.GetValue<string>());
        var answer = (await user.MessagesAsync(id))[^1]!;
        Assert.Equal("stopped", answer["status"]!.GetValue<string>());
        var text = answer["content"]!.GetValue<string>();
        Assert.Equal(all.AnswerText(), text);
        Assert.StartsWith(seen.AnswerText(), text);
        Assert.True(text.Split(' ').Length < 60, "the answer was cut short: " + text);

        var row = (await admin.GetJsonAsync("/v1/usage?userId=alice"))["rows"]!.AsArray().Single(r => r!["model"]!.GetValue<string>() == "test-model")!;
        Assert.True(row["completionTokens"]!.GetValue<long>() >= 3, row.ToJsonString());
        Assert.True(row["promptTokens"]!.GetValue<long>() > 0, row.ToJsonString());

        // A repeated cancel says the turn is stopped (a client that lost the first answer learns it worked); a turn that
        // finished by itself cannot be stopped; an unknown one is not found; another user's is not found either.
        var again = await user.Http.PostAsync($"/v1/conversations/{id}/turns/{turnId}/cancel", null);
        await ApiClient.EnsureAsync(again, HttpStatusCode.OK);
        Assert.Equal("stopped", (await again.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());
        (await user.SendAsync(id, "And one more question, please.", "finished-turn")).Done();
        await ApiClient.ProblemAsync(await user.Http.PostAsync($"/v1/conversations/{id}/turns/finished-turn/cancel", null), HttpStatusCode.Conflict);
        await ApiClient.ProblemAsync(await user.Http.PostAsync($"/v1/conversations/{id}/turns/no-such-turn/cancel", null), HttpStatusCode.NotFound);
        using var stranger = await fx.NewUserAsync("ty");
        await ApiClient.ProblemAsync(await stranger.Http.PostAsync($"/v1/conversations/{id}/turns/{turnId}/cancel", null), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await stranger.GetTurnEventsAsync(id, turnId, null), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await user.GetTurnEventsAsync(id, turnId, "not-an-id"), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "An answer's citations come back with it in GET history")]
    public async Task Citations_are_in_history()
    {
        var (admin, user) = await fx.NewTenantAsync("tk");
        Assert.True((await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } })).IsSuccessStatusCode);
        Assert.True((await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } })).IsSuccessStatusCode);
        var upload = await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "leave", title = "Leave policy", label = "public", content = "Parental leave is sixteen weeks at full pay for every employee." } },
        });
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());

        var id = await user.CreateConversationAsync();
        var events = await user.SendAsync(id, "How long is parental leave?", "cited-turn");
        events.Done();
        var cited = events.Where(e => e.Name == "citation").Select(e => e.Data["documentId"]!.GetValue<string>()).ToList();
        Assert.Contains("leave", cited);

        var answer = (await user.MessagesAsync(id))[^1]!;
        var stored = answer["citations"]!.AsArray();
        Assert.Equal(cited, stored.Select(c => c!["documentId"]!.GetValue<string>()));
        Assert.Equal("Leave policy", stored[0]!["documentTitle"]!.GetValue<string>());
        Assert.Null((await user.MessagesAsync(id))[0]!["citations"]);
    }
}
