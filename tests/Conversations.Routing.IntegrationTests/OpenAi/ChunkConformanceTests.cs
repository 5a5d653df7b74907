namespace Conversations.Routing.IntegrationTests.OpenAi;

/// <summary>The wire shapes of POST /v1/chat/completions on raw HTTP: chunks, finish reasons, usage, [DONE], content_filter.</summary>
public sealed class ChunkConformanceTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "A stream is a role chunk, content chunks, one finish_reason 'stop', with include_usage one chunk with choices [] and usage (cached tokens too), then [DONE]")]
    public async Task Stream_with_usage_follows_the_spec()
    {
        using var t = await NewAsync(fx);
        await CompleteAsync(t.User, Ask(Question)); // warms the provider's prefix cache

        using var res = await PostAsync(t.User, Ask(Question, stream: true, streamOptions: new { include_usage = true }));
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var conversationId = res.Headers.GetValues(ConversationHeader).Single();
        var lines = await DataLinesAsync(res);

        Assert.Equal("[DONE]", lines[^1]);
        Assert.Single(lines, l => l == "[DONE]");
        var chunks = lines[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>());
            Assert.Equal(chunks[0]["id"]!.GetValue<string>(), c["id"]!.GetValue<string>());
            Assert.Equal("auto", c["model"]!.GetValue<string>());
            Assert.True(c["created"]!.GetValue<long>() > 1_700_000_000);
        });
        Assert.StartsWith("chatcmpl-", chunks[0]["id"]!.GetValue<string>());
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());

        // Every chunk but the last has one choice; exactly one carries a finish reason, and it is the last of them.
        var withChoices = chunks[..^1];
        Assert.All(withChoices, c => Assert.Single(c["choices"]!.AsArray()));
        var finishes = withChoices.Where(c => c["choices"]![0]!["finish_reason"] is not null).ToList();
        Assert.Single(finishes);
        Assert.Same(withChoices[^1], finishes[0]);
        Assert.Equal("stop", finishes[0]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.All(withChoices[..^1], c => Assert.Equal(System.Text.Json.JsonValueKind.Null, c["choices"]![0]!.AsObject()["finish_reason"]?.GetValueKind() ?? System.Text.Json.JsonValueKind.Null));

        // The last chunk: no choices, the usage, with the provider's cached tokens.
        var last = chunks[^1];
        Assert.Empty(last["choices"]!.AsArray());
        var usage = last["usage"]!;
        var (prompt, completion) = (usage["prompt_tokens"]!.GetValue<int>(), usage["completion_tokens"]!.GetValue<int>());
        Assert.True(prompt > 1024 && completion > 0, usage.ToJsonString());
        Assert.Equal(prompt + completion, usage["total_tokens"]!.GetValue<int>());
        Assert.True(usage["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>() > 0, usage.ToJsonString());
        Assert.All(chunks[..^1], c => Assert.Null(c["usage"]));

        // The text is the stored answer, and the sources ride in the documented extension field.
        var text = string.Concat(withChoices.Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>()));
        var history = await HistoryAsync(t.User, conversationId);
        Assert.Equal(text, history[^1]!["content"]!.GetValue<string>());
        Assert.Equal(Question, history[^2]!["content"]!.GetValue<string>());
        var citations = chunks.Where(c => c["citations"] is not null).SelectMany(c => c["citations"]!.AsArray()).ToList();
        Assert.Contains(citations, c => c!["document_id"]!.GetValue<string>() == "leave" && c["document_title"]!.GetValue<string>() == "Leave policy");
    }

    [Theory(DisplayName = "Without include_usage (false or absent) no usage chunk is sent, and the stream still ends with finish_reason and [DONE]")]
    [InlineData(false)]
    [InlineData(null)]
    public async Task Stream_without_usage_has_no_usage_chunk(bool? includeUsage)
    {
        using var t = await NewAsync(fx);
        using var res = await PostAsync(t.User, Ask(Question, stream: true, streamOptions: includeUsage is null ? null : new { include_usage = includeUsage }));
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var lines = await DataLinesAsync(res);

        Assert.Equal("[DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        Assert.All(chunks, c => Assert.Single(c["choices"]!.AsArray()));
        Assert.All(chunks, c => Assert.Null(c["usage"]));
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact(DisplayName = "While the model has not sent its first token the stream has already started: status 200, the role chunk and keep-alive comments, then the answer")]
    public async Task Slow_first_token_starts_the_stream_with_keep_alives()
    {
        using var t = await NewAsync(fx);
        SetModels(fx, t, SlowFirstToken);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var res = await PostAsync(t.User, Ask(Question, stream: true));
        var headersAt = clock.Elapsed;
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var lines = await LinesAsync(res, clock);
        var dump = string.Join("\n", lines.Select(l => $"{l.At.TotalMilliseconds:F0} ms {l.Line}"));

        var firstContent = lines.FindIndex(l => l.Line.StartsWith("data: {", StringComparison.Ordinal)
            && JsonNode.Parse(l.Line[6..])!["choices"]![0]!["delta"]!["content"]?.GetValue<string>() is { Length: > 0 });
        Assert.True(firstContent > 0, dump);
        var keepAlives = lines.Take(firstContent).Count(l => l.Line.StartsWith(':'));
        Assert.True(keepAlives >= 1, dump);
        Assert.Equal("assistant", JsonNode.Parse(lines[0].Line[6..])!["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        // The status and the first bytes came before the first token, in writes of their own (lines of one write arrive
        // within a few ms). Not more than 0.1 s is asked: the question's commit comes first, and on a busy test host its
        // fsync has taken most of the model's 1.1 s.
        Assert.True(lines[firstContent].At - headersAt > TimeSpan.FromSeconds(0.1), $"headers at {headersAt.TotalMilliseconds:F0} ms\n{dump}");
        Assert.True(lines[firstContent].At - lines[0].At > TimeSpan.FromSeconds(0.1), dump);

        var data = lines.Where(l => !l.Line.StartsWith(':')).Select(l => l.Line[6..]).ToList();
        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        var text = string.Concat(chunks.Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>()));
        Assert.Equal(text, (await HistoryAsync(t.User, res.Headers.GetValues(ConversationHeader).Single()))[^1]!["content"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A model that never sends its first token: keep-alives while the platform waits out its timeouts, then the fallback answer from the knowledge base, finish_reason and [DONE]")]
    public async Task Silent_model_keeps_the_stream_alive_until_the_fallback()
    {
        using var t = await NewAsync(fx);
        SetModels(fx, t, new ModelBehavior { TimeToFirstToken = TimeSpan.FromSeconds(20) });

        using var res = await PostAsync(t.User, Ask(Question, stream: true));
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var lines = await LinesAsync(res);
        var dump = string.Join("\n", lines.Select(l => $"{l.At.TotalMilliseconds:F0} ms {l.Line}"));
        var firstContent = lines.FindIndex(l => l.Line.StartsWith("data: {", StringComparison.Ordinal)
            && JsonNode.Parse(l.Line[6..])!["choices"]![0]!["delta"]!["content"]?.GetValue<string>() is { Length: > 0 });
        // Both models' first-token timeouts (2.5 s each) passed before the fallback: several beats. Once the text flows a
        // beat comes only after a whole interval (0.25 s here) without a line, as when a busy host is slow to store the
        // answer before its finish chunk: never between lines that follow each other closely.
        Assert.True(lines.Take(firstContent).Count(l => l.Line.StartsWith(':')) >= 3, dump);
        for (var i = Math.Max(firstContent, 1); i < lines.Count; i++)
            Assert.False(lines[i].Line.StartsWith(':') && lines[i].At - lines[i - 1].At < TimeSpan.FromSeconds(0.2), dump);
        var data = lines.Where(l => !l.Line.StartsWith(':')).Select(l => l.Line[6..]).ToList();
        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Contains("Parental leave is sixteen weeks", string.Concat(chunks.Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>())), StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Not streamed: a chat.completion with the stored answer, finish_reason 'stop', usage with cached tokens and the citations extension")]
    public async Task Completion_follows_the_spec()
    {
        using var t = await NewAsync(fx);
        await CompleteAsync(t.User, Ask(Question));
        var (completion, conversationId) = await CompleteAsync(t.User, Ask(Question));

        Assert.Equal("chat.completion", completion["object"]!.GetValue<string>());
        Assert.StartsWith("chatcmpl-", completion["id"]!.GetValue<string>());
        var choice = completion["choices"]!.AsArray().Single()!;
        Assert.Equal(0, choice["index"]!.GetValue<int>());
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
        var content = choice["message"]!["content"]!.GetValue<string>();
        Assert.Equal(content, (await HistoryAsync(t.User, conversationId))[^1]!["content"]!.GetValue<string>());

        var usage = completion["usage"]!;
        Assert.True(usage["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>() > 0, usage.ToJsonString());
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>());
        Assert.Contains(completion["citations"]!.AsArray(), c => c!["document_id"]!.GetValue<string>() == "leave");
    }

    [Fact(DisplayName = "An answer the model ended at the output token cap finishes with 'length', streamed and not")]
    public async Task Output_cap_is_length()
    {
        using var t = await NewAsync(fx);
        await t.Admin.PatchSettingsAsync(new { maxOutputTokens = 16 });
        foreach (var model in new[] { "small", "large" })
            fx.Model.Control.SetModel(t.ServerName(model), fx.Model.Control.Default with { AnswerTokens = 200 });

        var (completion, _) = await CompleteAsync(t.User, Ask(Question));
        Assert.Equal("length", completion["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(16, completion["usage"]!["completion_tokens"]!.GetValue<int>());

        using var res = await PostAsync(t.User, Ask(Question, stream: true));
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var chunks = (await DataLinesAsync(res))[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("length", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact(DisplayName = "max_tokens and max_completion_tokens cap the answer below the tenant's limit (finish_reason 'length'), never raise it, and a capped answer is neither served from nor put in the answer cache")]
    public async Task Client_max_tokens_caps_the_answer()
    {
        using var t = await NewAsync(fx, new { smallModelId = "small", largeModelId = "large", exactCache = true, semanticCache = false, hardCodedReplies = false });
        // Whole answers (30 tokens) fit the tenant's limit, so they are cached; a cap of 5 cuts them.
        await t.Admin.PatchSettingsAsync(new { maxOutputTokens = 40 });
        SetModels(fx, t, fx.Model.Control.Default with { AnswerTokens = 30 });
        // This tenant's calls only: another test's work still running in the background must not count.
        int Calls() => fx.Model.Requests.Count(r => r.Model == t.ServerName("small") || r.Model == t.ServerName("large"));
        object Capped(string field, int cap, bool stream = false) => field == "max_tokens"
            ? new { model = "auto", messages = new[] { new { role = "user", content = Question } }, stream, max_tokens = cap }
            : new { model = "auto", messages = new[] { new { role = "user", content = Question } }, stream, max_completion_tokens = cap };

        foreach (var field in new[] { "max_tokens", "max_completion_tokens" })
        {
            var (capped, conversationId) = await CompleteAsync(t.User, Capped(field, 5));
            Assert.Equal("length", capped["choices"]![0]!["finish_reason"]!.GetValue<string>());
            Assert.Equal(5, capped["usage"]!["completion_tokens"]!.GetValue<int>());
            Assert.Equal(capped["choices"]![0]!["message"]!["content"]!.GetValue<string>(), (await HistoryAsync(t.User, conversationId))[^1]!["content"]!.GetValue<string>());
        }

        // Streamed alike.
        using (var res = await PostAsync(t.User, Capped("max_tokens", 5, stream: true)))
        {
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            var chunks = (await DataLinesAsync(res))[..^1].Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal("length", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        }

        // The capped turns put nothing in the exact cache (entries are written just after a turn, off its path): the
        // uncapped question after them goes to the model, and only then is the same question answered from the cache.
        await Task.Delay(300);
        var calls = Calls();
        var (full, _) = await CompleteAsync(t.User, Ask(Question));
        Assert.Equal("stop", full["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.True(Calls() > calls, "the first uncapped question must reach a model");
        await Task.Delay(300);
        calls = Calls();
        var (again, _) = await CompleteAsync(t.User, Ask(Question));
        Assert.Equal(full["choices"]![0]!["message"]!["content"]!.GetValue<string>(), again["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        // A cap above the tenant's limit changes nothing: the tenant's limit holds, and the cached answer is served.
        var (over, _) = await CompleteAsync(t.User, Capped("max_tokens", 4000));
        Assert.Equal(full["choices"]![0]!["message"]!["content"]!.GetValue<string>(), over["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(calls, Calls());
        // And a capped question with a cached answer waiting still goes to the model, capped.
        var (cappedAfter, _) = await CompleteAsync(t.User, Capped("max_tokens", 5));
        Assert.Equal(5, cappedAfter["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.True(Calls() > calls, "a capped question must not be answered from the cache");

        // A provider that ignores the cap is stopped by the platform once well past it (tokenizers differ, so the cut is
        // at twice the cap plus 16 of the platform's tokens): the client's cap and the tenant's limit alike.
        SetModels(fx, t, fx.Model.Control.Default with { AnswerTokens = 200, IgnoresOutputCap = true });
        static int Words(JsonNode completion) => completion["choices"]![0]!["message"]!["content"]!.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var (ignored, ignoredConversation) = await CompleteAsync(t.User, Capped("max_tokens", 5));
        Assert.Equal("length", ignored["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.InRange(Words(ignored), 1, 2 * 5 + 16);
        Assert.Equal(ignored["choices"]![0]!["message"]!["content"]!.GetValue<string>(), (await HistoryAsync(t.User, ignoredConversation))[^1]!["content"]!.GetValue<string>());
        var (tenantCapped, _) = await CompleteAsync(t.User, Ask("Describe the whole onboarding process once more, please"));
        Assert.Equal("length", tenantCapped["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.InRange(Words(tenantCapped), 1, 2 * 40 + 16);
    }

    [Fact(DisplayName = "A question moderation refuses is a completion with finish_reason 'content_filter' and the reason in 'refusal', streamed and not, a word split across text parts too; the refusal is in history")]
    public async Task Refused_question_is_content_filter()
    {
        using var t = await NewAsync(fx);
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/projects", new { words = new[] { "zorblax" }, riskLevel = "medium", action = "block" }));
        await Task.Delay(RoutingPlatform.ConfigSettle);
        var calls = fx.Model.Requests.Count(r => r.Model.EndsWith(t.ServerName(""), StringComparison.Ordinal));

        var (completion, conversationId) = await CompleteAsync(t.User, Ask("Tell me about project zorblax"));
        var choice = completion["choices"]![0]!;
        Assert.Equal("content_filter", choice["finish_reason"]!.GetValue<string>());
        Assert.Null(choice["message"]!["content"]);
        var refusal = choice["message"]!["refusal"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(refusal));
        var history = await HistoryAsync(t.User, conversationId);
        Assert.Equal(("refused", refusal), (history[^1]!["status"]!.GetValue<string>(), history[^1]!["content"]!.GetValue<string>()));

        using var res = await PostAsync(t.User, Ask("Tell me about project zorblax", stream: true, streamOptions: new { include_usage = true }));
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        var lines = await DataLinesAsync(res);
        Assert.Equal("[DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Contains(chunks, c => c["choices"]!.AsArray().Count == 1 && c["choices"]![0]!["delta"]!["refusal"] is not null);
        Assert.DoesNotContain(chunks, c => c["choices"]!.AsArray().Count == 1 && !string.IsNullOrEmpty(c["choices"]![0]!["delta"]!["content"]?.GetValue<string>()));
        Assert.Equal("content_filter", chunks[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        // The word split across two text parts is read, and refused, as the one word the parts spell.
        var split = new
        {
            model = "auto",
            messages = new[] { new { role = "user", content = new object[] { new { type = "text", text = "Tell me about project zorb" }, new { type = "text", text = "lax" } } } },
        };
        var (parted, _) = await CompleteAsync(t.User, split);
        Assert.Equal("content_filter", parted["choices"]![0]!["finish_reason"]!.GetValue<string>());
        // No model saw the refused questions.
        Assert.Equal(calls, fx.Model.Requests.Count(r => r.Model.EndsWith(t.ServerName(""), StringComparison.Ordinal)));
    }

    [Fact(DisplayName = "Errors come in OpenAI's shape with its status codes: 401 bad key, 404 unknown model or conversation, 400 no user message, bad JSON or NUL text")]
    public async Task Errors_have_the_openai_shape()
    {
        using var t = await NewAsync(fx);
        using var stranger = fx.As("cvk_nobody_not-a-real-secret");

        var error = await ErrorAsync(await PostAsync(stranger, Ask(Question)), HttpStatusCode.Unauthorized);
        Assert.Equal(("invalid_request_error", "invalid_api_key"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        error = await ErrorAsync(await stranger.Http.GetAsync("/v1/models"), HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_api_key", error["code"]!.GetValue<string>());

        error = await ErrorAsync(await PostAsync(t.User, Ask(Question, model: "gpt-nonexistent")), HttpStatusCode.NotFound);
        Assert.Equal(("invalid_request_error", "model_not_found", "model"),
            (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        Assert.Contains("gpt-nonexistent", error["message"]!.GetValue<string>());

        error = await ErrorAsync(await PostAsync(t.User, new { model = "auto", messages = new[] { new { role = "system", content = "Be brief." } } }), HttpStatusCode.BadRequest);
        Assert.Equal(("invalid_request_error", "messages"), (error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        Assert.Contains("user", error["message"]!.GetValue<string>());
        error = await ErrorAsync(await PostAsync(t.User, new { model = "auto", messages = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        Assert.Equal("messages", error["param"]!.GetValue<string>());
        error = await ErrorAsync(await PostAsync(t.User, Ask("bad\0text")), HttpStatusCode.BadRequest);
        Assert.Equal("messages[0].content", error["param"]!.GetValue<string>());
        // A content part whose type is not a string is the same 400, not a server error.
        foreach (var part in new object[] { new { type = 5, text = "hi" }, new { type = (string?)null, text = "hi" }, new { type = new[] { "text" }, text = "hi" } })
        {
            error = await ErrorAsync(await PostAsync(t.User, new { model = "auto", messages = new[] { new { role = "user", content = new[] { part } } } }), HttpStatusCode.BadRequest);
            Assert.Equal("messages[0].content", error["param"]!.GetValue<string>());
        }
        error = await ErrorAsync(await t.User.Http.PostAsync("/v1/chat/completions", new StringContent("{\"messages\": [", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        error = await ErrorAsync(await PostAsync(t.User, Ask(Question), conversationId: "c_not-mine"), HttpStatusCode.NotFound);
        Assert.Equal("conversation_not_found", error["code"]!.GetValue<string>());
        // Too long: the native route's limit, in OpenAI's words for a prompt over the context.
        error = await ErrorAsync(await PostAsync(t.User, Ask(new string('a', 16_001))), HttpStatusCode.BadRequest);
        Assert.Equal("messages[0].content", error["param"]!.GetValue<string>());
        Assert.Equal("context_length_exceeded", error["code"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A tenant deleted while its answer streams: the stream ends with a tenant_deleted error chunk (not retryable) and [DONE], never stream_failed")]
    public async Task Tenant_deleted_mid_stream_ends_it_for_good()
    {
        using var t = await NewAsync(fx);
        // About 3.6 s of answer: the tenant goes in the middle of it.
        SetModels(fx, t, new ModelBehavior { TimePerToken = TimeSpan.FromMilliseconds(150) });
        using var res = await PostAsync(t.User, Ask(Question, stream: true));
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(), Encoding.UTF8);
        var data = new List<string>();
        var deleted = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            data.Add(line[6..]);
            if (deleted || line == "data: [DONE]" || JsonNode.Parse(line[6..])?["choices"]?[0]?["delta"]?["content"]?.GetValue<string>() is not { Length: > 0 }) continue;
            using var op = fx.Operator();
            Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{t.TenantId}")).StatusCode);
            deleted = true;
        }
        var dump = string.Join("\n", data);
        Assert.True(deleted, dump);
        Assert.Equal("[DONE]", data[^1]);
        // The last chunk before [DONE] is the error object: the tenant is gone, a retry could only be refused.
        var error = JsonNode.Parse(data[^2])!["error"];
        Assert.True(error is not null, dump);
        Assert.Equal(("tenant_deleted", "invalid_request_error"), (error["code"]!.GetValue<string>(), error["type"]!.GetValue<string>()));
        Assert.DoesNotContain("stream_failed", dump, StringComparison.Ordinal);
        Assert.DoesNotContain(data[..^1], d => JsonNode.Parse(d)!["choices"]?[0]?["finish_reason"] is JsonValue);
    }

    [Fact(DisplayName = "A tenant deleted while its answer is written for a completion that is not streamed: a 410 tenant_deleted, never a retryable 503 stream_failed")]
    public async Task Tenant_deleted_mid_answer_is_a_410()
    {
        using var t = await NewAsync(fx);
        SetModels(fx, t, new ModelBehavior { TimePerToken = TimeSpan.FromMilliseconds(150) });
        var answering = PostAsync(t.User, Ask(Question));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!fx.Model.Requests.Any(r => r.Model == t.ServerName("small") || r.Model == t.ServerName("large")))
        {
            Assert.True(DateTime.UtcNow < deadline, "the completion never reached the model");
            await Task.Delay(50);
        }
        await Task.Delay(500);
        using var op = fx.Operator();
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{t.TenantId}")).StatusCode);
        using var res = await answering;
        var error = await ErrorAsync(res, HttpStatusCode.Gone);
        Assert.Equal("tenant_deleted", error["code"]!.GetValue<string>());
        Assert.Null(res.Headers.RetryAfter);
    }

    [Fact(DisplayName = "Sampling parameters outside OpenAI's ranges, a forced tool or function call, audio output and a JSON response format are 400s naming the parameter; in-range values, tools with tool_choice auto and a text format are answered")]
    public async Task Unsupported_or_out_of_range_parameters_are_400s()
    {
        using var t = await NewAsync(fx);
        object Body(string name, object value) => new Dictionary<string, object>
        {
            ["model"] = "auto", ["messages"] = new[] { new { role = "user", content = Question } }, [name] = value,
        };
        (string Param, object Value)[] refused =
        [
            ("temperature", 2.5), ("temperature", -0.1), ("top_p", 1.5), ("presence_penalty", -3), ("frequency_penalty", 2.01),
            ("max_tokens", 0), ("max_completion_tokens", -1), ("tool_choice", "required"),
            ("tool_choice", new { type = "function", function = new { name = "lookup" } }), ("response_format", new { type = "json_object" }),
            ("response_format", new { type = "json_schema", json_schema = new { name = "x", schema = new { type = "object" } } }),
            // A value of the wrong JSON type names its parameter too.
            ("temperature", "hot"), ("max_tokens", 1.5), ("stream", "yes"), ("tools", "x"), ("user", 5), ("seed", "x"),
            // Output the platform cannot give is refused, not silently not given.
            ("stop", "\n\n"), ("stop", new[] { "END" }), ("logprobs", true), ("top_logprobs", 2),
            ("function_call", new { name = "lookup" }), ("modalities", new[] { "text", "audio" }), ("audio", new { voice = "alloy", format = "wav" }),
        ];
        foreach (var (param, value) in refused)
        {
            var error = await ErrorAsync(await PostAsync(t.User, Body(param, value)), HttpStatusCode.BadRequest);
            Assert.Equal(("invalid_request_error", param), (error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        }
        // A trailing answer or tool result would have the earlier question asked again.
        var prefill = new { model = "auto", messages = new object[] { new { role = "user", content = Question }, new { role = "assistant", content = "Parental" } } };
        Assert.Equal("messages[1].role", (await ErrorAsync(await PostAsync(t.User, prefill), HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
        var calls = fx.Model.Requests.Count;
        var accepted = new Dictionary<string, object>
        {
            ["model"] = "auto", ["messages"] = new[] { new { role = "user", content = Question } }, ["temperature"] = 2, ["top_p"] = 0,
            ["max_tokens"] = 1, ["tool_choice"] = "auto", ["response_format"] = new { type = "text" }, ["stop"] = Array.Empty<string>(), ["logprobs"] = false, ["user"] = "someone", ["seed"] = 7,
            ["function_call"] = "auto", ["modalities"] = new[] { "text" },
            ["tools"] = new[] { new { type = "function", function = new { name = "lookup", parameters = new { type = "object" } } } },
        };
        var (completion, _) = await CompleteAsync(t.User, accepted);
        Assert.False(string.IsNullOrEmpty(completion["choices"]![0]!["message"]!["content"]!.GetValue<string>()));
        Assert.True(fx.Model.Requests.Count > calls);
    }

    [Fact(DisplayName = "What the server refuses on its own (a body that is not JSON, a wrong method, an unknown path) says what to do in OpenAI's shape")]
    public async Task Server_refusals_say_what_to_do()
    {
        using var t = await NewAsync(fx);
        var error = await ErrorAsync(await t.User.Http.PostAsync("/v1/chat/completions", new StringContent("hello", Encoding.UTF8, "text/plain")),
            HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("Content-Type: application/json", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        error = await ErrorAsync(await t.User.Http.DeleteAsync("/v1/chat/completions"), HttpStatusCode.MethodNotAllowed);
        Assert.Contains("DELETE is not supported", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        error = await ErrorAsync(await t.User.Http.GetAsync("/v1/models/auto/extra"), HttpStatusCode.NotFound);
        Assert.Contains("No route matches GET /v1/models/auto/extra", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        // OpenAI's paths the platform does not serve answer in the shape the SDKs parse too.
        error = await ErrorAsync(await t.User.Http.PostAsJsonAsync("/v1/responses", new { model = "auto", input = "hi" }), HttpStatusCode.NotFound);
        Assert.Contains("/v1/responses", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact(DisplayName = "Past the rate limit a completion gets 429 with Retry-After and OpenAI's rate_limit_exceeded error; bad requests, malformed Idempotency-Keys and unknown model names are not counted")]
    public async Task Rate_limit_is_a_429_with_retry_after()
    {
        using var t = await NewAsync(fx);
        await t.Admin.PatchModerationAsync(new { userRequestsPerMinute = 1 });
        await ErrorAsync(await PostAsync(t.User, new { model = "auto", messages = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        await ErrorAsync(await PostAsync(t.User, Ask(Question, model: "no-such-model")), HttpStatusCode.NotFound);
        using (var badKey = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Ask(Question)) })
        {
            badKey.Headers.Add("Idempotency-Key", "not a key");
            Assert.Equal("Idempotency-Key", (await ErrorAsync(await t.User.Http.SendAsync(badKey), HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
        }
        await CompleteAsync(t.User, Ask(Question));

        using var res = await PostAsync(t.User, Ask(Question, stream: true));
        var error = await ErrorAsync(res, HttpStatusCode.TooManyRequests);
        Assert.Equal(("requests", "rate_limit_exceeded"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        Assert.True(res.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is required");
    }

    private static async Task Ensure(HttpResponseMessage res)
    {
        if (!res.IsSuccessStatusCode) Assert.Fail($"{(int)res.StatusCode}: {await res.Content.ReadAsStringAsync()}");
    }
}
