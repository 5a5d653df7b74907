namespace Conversations.Routing.IntegrationTests.OpenAi;

/// <summary>Model names, conversation continuity, history and usage of the OpenAI-compatible routes.</summary>
public sealed class ModelsAndHistoryTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "GET /v1/models lists auto, the tiers and the tenant's registered models, in OpenAI's list shape; another tenant's models are not there")]
    public async Task Models_are_the_tenants_names()
    {
        using var t = await NewAsync(fx);
        await t.PutModelAsync("writer", "small", 1m);
        using var other = await NewAsync(fx);
        await other.PutModelAsync("secret-model", "large", 1m);

        var list = await t.User.GetJsonAsync("/v1/models");
        Assert.Equal("list", list["object"]!.GetValue<string>());
        var data = list["data"]!.AsArray();
        Assert.Equal(["auto", "small", "large", "writer"], data.Select(m => m!["id"]!.GetValue<string>()));
        Assert.All(data, m =>
        {
            Assert.Equal("model", m!["object"]!.GetValue<string>());
            Assert.NotNull(m["created"]);
            Assert.False(string.IsNullOrEmpty(m["owned_by"]!.GetValue<string>()));
        });
        Assert.Equal("writer", (await t.User.GetJsonAsync("/v1/models/writer"))["id"]!.GetValue<string>());
        var error = await ErrorAsync(await t.User.Http.GetAsync("/v1/models/secret-model"), HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error["code"]!.GetValue<string>());
        error = await ErrorAsync(await PostAsync(t.User, Ask(Question, model: "secret-model")), HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A named tier or model pins the turn's first model; auto leaves it to the tenant's routing")]
    public async Task Requested_model_reaches_routing()
    {
        // Threshold 0: the rules send every question to the large model.
        using var t = await NewAsync(fx, new { smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, exactCache = false, semanticCache = false, hardCodedReplies = false });
        await t.PutModelAsync("writer", "small", 1m);
        await Task.Delay(RoutingPlatform.ConfigSettle);

        async Task<string> ServedBy(string model)
        {
            var (_, conversationId) = await CompleteAsync(t.User, Ask(Question, model: model));
            return (await HistoryAsync(t.User, conversationId))[^1]!["model"]!.GetValue<string>();
        }
        Assert.Equal("large", await ServedBy("auto"));
        Assert.Equal("small", await ServedBy("small"));
        Assert.Equal("writer", await ServedBy("writer"));
        Assert.Contains(fx.Model.Requests, r => r.Model == t.ServerName("writer"));
    }

    [Fact(DisplayName = "X-Conversation-Id continues a conversation whose stored history is the context; a request without it is a one-off conversation, listed as such; usage counts the turns")]
    public async Task Continuity_history_and_usage()
    {
        using var t = await NewAsync(fx);
        var (first, conversationId) = await CompleteAsync(t.User, Ask(Question));
        // A one-off conversation is titled by its question as stored, as the chat titles a new conversation.
        var listed = (await t.User.GetJsonAsync("/v1/conversations"))["conversations"]!.AsArray();
        Assert.Equal(Question, listed.Single(c => c!["conversationId"]!.GetValue<string>() == conversationId)!["title"]!.GetValue<string>());

        // Earlier messages in the request are not the context: the platform's stored history is. The system message is not passed on.
        fx.Model.ClearRequests();
        var body = new
        {
            model = "auto",
            messages = new object[]
            {
                new { role = "system", content = "Answer like a pirate named Blackbeard." },
                new { role = "user", content = "An invented earlier question about llamas" },
                new { role = "assistant", content = "An invented earlier answer" },
                new { role = "user", content = "How many weeks is that?" },
            },
        };
        var (second, again) = await CompleteAsync(t.User, body, conversationId);
        Assert.Equal(conversationId, again);
        var prompt = string.Join("\n", fx.Model.Requests.Where(r => r.Model.EndsWith(t.ServerName(""), StringComparison.Ordinal))
            .SelectMany(r => r.Messages).Select(m => m.Content));
        Assert.Contains(Question, prompt);
        Assert.Contains("How many weeks is that?", prompt);
        Assert.DoesNotContain("llamas", prompt);
        Assert.DoesNotContain("Blackbeard", prompt);

        var history = await HistoryAsync(t.User, conversationId);
        Assert.Equal(["user", "assistant", "user", "assistant"], history.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("How many weeks is that?", history[2]!["content"]!.GetValue<string>());
        Assert.Equal(second["choices"]![0]!["message"]!["content"]!.GetValue<string>(), history[3]!["content"]!.GetValue<string>());

        // Both turns are in the ledger like native turns, with the tokens the completions reported.
        JsonNode totals = null!;
        for (var i = 0; i < 50; i++)
        {
            totals = (await t.GetAsync("/v1/usage?userId=alice"))["totals"]!;
            if (totals["turns"]!.GetValue<long>() >= 2) break;
            await Task.Delay(100);
        }
        Assert.Equal(2, totals["turns"]!.GetValue<long>());
        int Sum(string field) => first["usage"]![field]!.GetValue<int>() + second["usage"]![field]!.GetValue<int>();
        Assert.Equal(Sum("prompt_tokens"), totals["promptTokens"]!.GetValue<long>());
        Assert.Equal(Sum("completion_tokens"), totals["completionTokens"]!.GetValue<long>());

        // The title is made from the question as stored: personal data the policy masks stays out of it too.
        var (_, withContact) = await CompleteAsync(t.User, Ask("Mail me at jane.doe@example.com about the parental leave policy and its rules in detail, please"));
        var contactTitle = (await t.User.GetJsonAsync($"/v1/conversations/{withContact}"))["conversation"]!["title"]!.GetValue<string>();
        Assert.DoesNotContain("jane.doe@example.com", contactTitle);
        Assert.StartsWith("Mail me at", contactTitle);
        Assert.EndsWith("…", contactTitle);
    }

    [Fact(DisplayName = "A retried completion with the same Idempotency-Key is the same turn, streamed or not, with or without X-Conversation-Id")]
    public async Task Idempotency_key_makes_retries_the_same_turn()
    {
        using var t = await NewAsync(fx);
        async Task<HttpResponseMessage> SendAsync(object body, string key, string? conversationId = null, ApiClient? client = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            if (conversationId is not null) request.Headers.Add(ConversationHeader, conversationId);
            return await (client ?? t.User).Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
        async Task<(string Text, string ConversationId, string CompletionId)> CompleteOnceAsync(string key, string? conversationId = null, ApiClient? client = null)
        {
            using var res = await SendAsync(Ask(Question), key, conversationId, client);
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            var completion = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
            return (completion["choices"]![0]!["message"]!["content"]!.GetValue<string>(), res.Headers.GetValues(ConversationHeader).Single(),
                completion["id"]!.GetValue<string>());
        }

        // One-off: the retry finds the conversation the first try made, and there the stored turn (the same completion id).
        var (first, oneOff, firstId) = await CompleteOnceAsync("retry-one-off");
        var (again, sameOneOff, againId) = await CompleteOnceAsync("retry-one-off");
        Assert.Equal(oneOff, sameOneOff);
        Assert.Equal(first, again);
        Assert.Equal(firstId, againId);
        Assert.Equal(2, (await HistoryAsync(t.User, oneOff)).Count);

        // Streamed retry of the same key: the same answer, still one question and one answer.
        using (var streamed = await SendAsync(Ask(Question, stream: true), "retry-one-off"))
        {
            await ApiClient.EnsureAsync(streamed, HttpStatusCode.OK);
            var text = string.Concat((await DataLinesAsync(streamed)).Where(l => l != "[DONE]")
                .Select(l => JsonNode.Parse(l)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>() ?? ""));
            Assert.Equal(first, text);
        }
        Assert.Equal(2, (await HistoryAsync(t.User, oneOff)).Count);

        // In a named conversation: a new key is a new turn, its retry is not.
        var (_, _, secondId) = await CompleteOnceAsync("second-turn", oneOff);
        await CompleteOnceAsync("second-turn", oneOff);
        Assert.Equal(4, (await HistoryAsync(t.User, oneOff)).Count);
        // The same key in another conversation is that conversation's turn: a completion of its own, with its own id.
        var elsewhere = await t.User.CreateConversationAsync();
        var (_, sameElsewhere, elsewhereId) = await CompleteOnceAsync("second-turn", elsewhere);
        Assert.Equal(elsewhere, sameElsewhere);
        Assert.NotEqual(secondId, elsewhereId);
        // Another user's retry with the same key is their own conversation and completion, not this one.
        var (_, theirs, theirId) = await CompleteOnceAsync("retry-one-off", client: t.Admin);
        Assert.NotEqual(oneOff, theirs);
        Assert.NotEqual(firstId, theirId);
        Assert.DoesNotContain("retry-one-off", theirId, StringComparison.Ordinal);

        var error = await ErrorAsync(await SendAsync(Ask(Question), "not a key!"), HttpStatusCode.BadRequest);
        Assert.Equal("Idempotency-Key", error["param"]!.GetValue<string>());
    }

    [Fact(DisplayName = "An Idempotency-Key sent again with a different question is a 422 idempotency_key_reused, streamed or not; the other question is not stored")]
    public async Task Reused_idempotency_key_with_another_question_is_422()
    {
        using var t = await NewAsync(fx);
        async Task<HttpResponseMessage> SendAsync(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "reused-key");
            return await t.User.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
        const string other = "Something else entirely";
        using var first = await SendAsync(Ask(Question));
        await ApiClient.EnsureAsync(first, HttpStatusCode.OK);
        var conversationId = first.Headers.GetValues(ConversationHeader).Single();

        foreach (var stream in new[] { false, true })
        {
            var error = await ErrorAsync(await SendAsync(Ask(other, stream)), HttpStatusCode.UnprocessableEntity);
            Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
            Assert.Equal("idempotency_key_reused", error["code"]!.GetValue<string>());
        }
        // The same question is still the same turn.
        using var again = await SendAsync(Ask(Question));
        await ApiClient.EnsureAsync(again, HttpStatusCode.OK);

        var history = await HistoryAsync(t.User, conversationId);
        Assert.Equal(2, history.Count);
        Assert.DoesNotContain(history, m => m!["content"]!.GetValue<string>().Contains(other, StringComparison.Ordinal));
    }
}
