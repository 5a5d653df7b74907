namespace Conversations.Moderation.IntegrationTests.Green;

/// <summary>
/// Whole turns with Green configured: the platform signs real Green 2022-03-02 calls to the local server, which rejects
/// any bad signature. A question Green flags is refused, an answer Green flags mid-stream is withheld from then on, and a
/// Green outage follows the tenant's failure mode for the question and for the answer.
/// </summary>
[Collection(GreenPlatformCollection.Name)]
public sealed class GreenTurnTests(GreenPlatformFixture fx)
{
    private const string FirstSentence = "The office network is fine today.";
    private const string LastSentence = "This closing sentence must never be shown.";

    // A long answer streamed one word a chunk, slowly enough for Green's verdict on an early window to arrive mid-stream.
    private static string AnswerWith(string middle) =>
        FirstSentence + " " + middle + " " + string.Concat(Enumerable.Repeat("More plain words follow in this answer. ", 25)) + LastSentence;

    private async Task<(List<SseEvent> Events, string ConversationId)> AskAsync(ApiClient user, string question, string? scriptedAnswer = null)
    {
        var id = await user.CreateConversationAsync();
        using (ScriptAnswer(scriptedAnswer ?? AnswerWith("Nothing special here.")))
            return (await user.SendAsync(id, question), id);
    }

    // The model answers this, slowly, until the scope ends.
    private IDisposable ScriptAnswer(string answer) =>
        fx.Model.Control.ChangeDefault(b => b with { ScriptedAnswer = answer, TimePerToken = TimeSpan.FromMilliseconds(15) });

    // The demo user, with Green's failure modes open for the question and the answer.
    private async Task<ApiClient> DemoUserAsync()
    {
        await FailureModesAsync("open", "open");
        return fx.As(GreenPlatformFixture.DemoUserKey);
    }

    // Green answers every call with a timeout while the test runs under these failure modes; then it is back, modes open.
    private async Task WhileGreenIsDownAsync(string input, string output, Func<ApiClient, Task> test, LocalGreenServer.Fault? fault = null)
    {
        await FailureModesAsync(input, output);
        fx.Green.AlwaysFault = fault ?? new LocalGreenServer.Fault(GreenApi.CodeTimeout);
        try
        {
            using var user = fx.As(GreenPlatformFixture.DemoUserKey);
            await test(user);
        }
        finally
        {
            fx.Green.AlwaysFault = null;
            await FailureModesAsync("open", "open");
        }
    }

    private async Task FailureModesAsync(string input, string output)
    {
        using var admin = fx.As(GreenPlatformFixture.DemoAdminKey);
        await admin.PatchModerationAsync(new { greenFailureMode = input, greenOutputFailureMode = output });
        var settings = await admin.GetJsonAsync("/v1/moderation/settings");
        Assert.Equal((input, output), (settings["greenFailureMode"]!.GetValue<string>(), settings["greenOutputFailureMode"]!.GetValue<string>()));
        await Task.Delay(200); // past the silo's settings cache
    }

    private async Task<JsonNode> OutputEventAsync(string conversationId)
    {
        using var admin = fx.As(GreenPlatformFixture.DemoAdminKey);
        return Assert.Single((await admin.GetJsonAsync($"/v1/moderation/events?conversationId={conversationId}&phase=output"))["events"]!.AsArray())!;
    }

    // Every English wording of "the safety check is unavailable, try again" (each asks the user to retry).
    private static readonly HashSet<string> Unavailable =
        Enumerable.Range(0, 64).Select(i => RefusalMessages.ForLanguage(RefusalClass.ServiceUnavailable, "en", i.ToString()).Text).ToHashSet();

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    private void EverySignatureVerified() => Assert.Equal(fx.Green.Requests, fx.Green.Accepted);

    [Fact(DisplayName = "Green flags a question: the turn is refused with Green's label and no model runs")]
    public async Task Question_flagged_by_green_is_refused()
    {
        using var user = await DemoUserAsync();
        var calls = fx.Model.Requests.Count;
        var (events, _) = await AskAsync(user, "Give me a plan to rob a bank tonight");
        var error = Assert.Single(events, e => e.Name == "error");
        Assert.Equal("input_refused", error.Data["code"]!.GetValue<string>());
        Assert.Contains("green:illegal_activity", Strings(error.Data["labels"]));
        Assert.False(error.Data["retryable"]!.GetValue<bool>());
        Assert.Equal(calls, fx.Model.Requests.Count);
        Assert.Contains(GreenApi.LlmQueryModeration, fx.Green.Services);
        EverySignatureVerified();
    }

    // Sends a message with image URLs of the local image server; the events of the turn.
    private async Task<(List<SseEvent> Events, string ConversationId)> AskWithImagesAsync(ApiClient user, string question, params string[] imageNames)
    {
        var id = await user.CreateConversationAsync();
        using var res = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages",
            new { text = question, imageUrls = imageNames.Select(n => $"{fx.Images.BaseUrl}/images/{n}").ToArray() });
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        return (await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync()), id);
    }

    [Fact(DisplayName = "Green flags an image: the turn is refused saying the image was the reason, recorded, and no model runs")]
    public async Task Image_flagged_by_green_is_refused()
    {
        using var user = await DemoUserAsync();
        var calls = fx.Model.Requests.Count;
        var (events, id) = await AskWithImagesAsync(user, "What is happening in this picture?", "explosion.png");
        var error = Assert.Single(events, e => e.Name == "error");
        Assert.Equal("image_refused", error.Data["code"]!.GetValue<string>());
        Assert.Contains("image", error.Data["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("green:image:violent_explosion_3001", Strings(error.Data["labels"]));
        Assert.Equal(calls, fx.Model.Requests.Count);
        Assert.Contains(GreenApi.ImageModeration, fx.Green.Actions);
        using var admin = fx.As(GreenPlatformFixture.DemoAdminKey);
        var recorded = Assert.Single((await admin.GetJsonAsync($"/v1/moderation/events?conversationId={id}&phase=input"))["events"]!.AsArray())!;
        Assert.Equal("block", recorded["action"]!.GetValue<string>());
        Assert.Contains("green", Strings(recorded["checkers"]));
        Assert.Equal("refused", (await user.MessagesAsync(id))[^1]!["status"]!.GetValue<string>());
        EverySignatureVerified();
    }

    [Fact(DisplayName = "An image Green passes reaches the vision model as an image_url content part")]
    public async Task Clean_image_reaches_the_model()
    {
        using var user = await DemoUserAsync();
        var images = fx.Green.Actions.Count(a => a == GreenApi.ImageModeration);
        var (events, _) = await AskWithImagesAsync(user, "What is in this picture?", "cat.png");
        Assert.Equal("done", events[^1].Name);
        Assert.Equal(images + 1, fx.Green.Actions.Count(a => a == GreenApi.ImageModeration));
        var question = fx.Model.Requests[^1].Messages.Last(m => m.Role == "user");
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(LocalImageServer.Bytes("cat.png")), Assert.Single(question.ImageUrls));
        EverySignatureVerified();
    }

    [Fact(DisplayName = "A retried send (the same Idempotency-Key) is the same turn and fetches its image URL no second time, on both routes; another picture under the key is a 422")]
    public async Task Retried_send_keeps_the_images_it_stored()
    {
        using var user = await DemoUserAsync();
        var id = await user.CreateConversationAsync();
        var (name, key) = ($"retry-{Guid.NewGuid():n}.png", Guid.NewGuid().ToString("n"));
        HttpRequestMessage Request(string image)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{id}/messages")
            {
                Content = JsonContent.Create(new { text = "What is in this picture?", imageUrls = new[] { $"{fx.Images.BaseUrl}/images/{image}" } }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }
        async Task<List<SseEvent>> SendAsync()
        {
            using var request = Request(name);
            using var res = await user.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            return await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
        }
        var first = await SendAsync();
        var again = await SendAsync();
        // The same key and text with another picture is another request: a 422, and that picture is never fetched.
        var otherName = $"other-{Guid.NewGuid():n}.png";
        using (var otherPicture = Request(otherName))
        using (var refused = await user.Http.SendAsync(otherPicture))
            Assert.Equal("idempotency_key_reused", (await ApiClient.ProblemAsync(refused, HttpStatusCode.UnprocessableEntity))["code"]!.GetValue<string>());
        Assert.Equal(0, fx.Images.Fetches(otherName));
        Assert.Equal(first.Done()["turnId"]!.GetValue<string>(), again.Done()["turnId"]!.GetValue<string>());
        Assert.Equal(1, fx.Images.Fetches(name));
        var messages = await user.MessagesAsync(id);
        Assert.Equal(2, messages.Count);
        Assert.Single(messages[0]!["imageIds"]!.AsArray());

        // The OpenAI-compatible route: a retry the SDK sends with the same key.
        var (openAiName, openAiKey) = ($"retry-{Guid.NewGuid():n}.png", Guid.NewGuid().ToString("n"));
        async Task<string> CompleteAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new
                {
                    model = "auto",
                    messages = new object[]
                    {
                        new { role = "user", content = new object[] { new { type = "text", text = "Describe this" }, new { type = "image_url", image_url = new { url = $"{fx.Images.BaseUrl}/images/{openAiName}" } } } },
                    },
                }),
            };
            request.Headers.Add("Idempotency-Key", openAiKey);
            using var res = await user.Http.SendAsync(request);
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            return JsonNode.Parse(await res.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        }
        Assert.Equal(await CompleteAsync(), await CompleteAsync());
        Assert.Equal(1, fx.Images.Fetches(openAiName));
    }

    [Fact(DisplayName = "An upload goes to Green as a signed link Green fetches; a flagged upload is refused, and a forged link is a 404")]
    public async Task Upload_is_checked_by_green_through_a_signed_link()
    {
        using var user = await DemoUserAsync();
        var calls = fx.Model.Requests.Count;
        var content = new ByteArrayContent(LocalImageServer.Bytes("explosion inside the picture"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        var upload = await user.Http.PostAsync("/v1/images", content);
        await ApiClient.EnsureAsync(upload, HttpStatusCode.Created);
        var imageId = (await upload.Content.ReadFromJsonAsync<JsonNode>())!["imageId"]!.GetValue<string>();

        var id = await user.CreateConversationAsync();
        using var res = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = "What is this?", imageIds = new[] { imageId } });
        var events = await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
        var error = Assert.Single(events, e => e.Name == "error");
        Assert.Equal("image_refused", error.Data["code"]!.GetValue<string>());
        Assert.Contains("green:image:violent_explosion_3001", Strings(error.Data["labels"]));
        Assert.Equal(calls, fx.Model.Requests.Count);

        // Green got a link to the platform, not the bytes, and fetched the image through it.
        var link = fx.Green.ImageUrls.Last();
        Assert.StartsWith($"{fx.BaseUrl}/v1/image-links/", link, StringComparison.Ordinal);
        Assert.Contains(imageId, link, StringComparison.Ordinal);
        Assert.Equal(200, fx.Green.ImageFetches.Last());
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(link)).StatusCode);
        var forged = link[..^4] + (link[^4..] == "0000" ? "1111" : "0000");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(link.Replace("expires=", "expires=1", StringComparison.Ordinal))).StatusCode);
        EverySignatureVerified();
    }

    [Fact(DisplayName = "An allowed image host that redirects to a loopback address is refused at the redirect (400), before Green or a model")]
    public async Task Redirect_to_loopback_is_refused()
    {
        using var user = fx.As(GreenPlatformFixture.DemoUserKey);
        var id = await user.CreateConversationAsync();
        var port = new Uri(fx.Images.BaseUrl).Port;
        var url = $"{fx.Images.BaseUrl}/redirect?to={Uri.EscapeDataString($"http://127.0.0.1:{port}/images/cat.png")}";
        using var res = await user.Http.PostAsJsonAsync($"/v1/conversations/{id}/messages", new { text = "What is this?", imageUrls = new[] { url } });
        var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.BadRequest);
        Assert.Equal("image_blocked_address", problem["code"]!.GetValue<string>());
        Assert.Contains("loopback", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await user.MessagesAsync(id));
    }

    [Fact(DisplayName = "Green flags a window of the streamed answer: the rest is withheld and an output event names Green's label")]
    public async Task Answer_flagged_mid_stream_is_withheld()
    {
        using var user = await DemoUserAsync();
        var (events, id) = await AskAsync(user, "Tell me about the office network.", AnswerWith($"Then it says {LocalGreenServer.ResponseMarker} in passing."));
        Assert.Equal("done", events[^1].Name);
        Assert.Equal("content_filter", events[^1].Data["finishReason"]!.GetValue<string>());
        var shown = events.AnswerText();
        Assert.StartsWith(FirstSentence, shown);
        Assert.DoesNotContain(LastSentence, shown);
        Assert.Contains("withheld", shown);
        // Green saw the answer through llm_response_moderation, the marker's window among it.
        Assert.Contains(fx.Green.ResponseContents, c => c.Contains(LocalGreenServer.ResponseMarker, StringComparison.Ordinal));
        var stored = (await user.MessagesAsync(id))[^1]!["content"]!.GetValue<string>();
        Assert.Equal(shown, stored);
        var e = await OutputEventAsync(id);
        Assert.Equal(("block", "high"), (e["action"]!.GetValue<string>(), e["riskLevel"]!.GetValue<string>()));
        Assert.Contains("green:contraband", Strings(e["labels"]));
        EverySignatureVerified();
    }

    [Fact(DisplayName = "The OpenAI-compatible route goes through the same Green answer check")]
    public async Task OpenAi_route_answer_is_withheld_too()
    {
        using var user = await DemoUserAsync();
        using (ScriptAnswer(AnswerWith($"Then it says {LocalGreenServer.ResponseMarker} in passing.")))
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new { model = "auto", messages = new[] { new { role = "user", content = "Tell me about the office network." } } }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("n"));
            using var res = await user.Http.SendAsync(request);
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            var choice = JsonNode.Parse(await res.Content.ReadAsStringAsync())!["choices"]![0]!;
            var content = choice["message"]!["content"]!.GetValue<string>();
            Assert.StartsWith(FirstSentence, content);
            Assert.DoesNotContain(LastSentence, content);
            Assert.Equal("content_filter", choice["finish_reason"]!.GetValue<string>());
        }
    }

    [Fact(DisplayName = "Green down, fail-open: the turn answers in full and the local guard still masks")]
    public async Task Outage_fail_open_answers()
    {
        await WhileGreenIsDownAsync("open", "open", async user =>
        {
            var answered = fx.Green.Accepted;
            var (events, _) = await AskAsync(user, "Tell me about the office network.", AnswerWith("Call 13812345678 if it fails."));
            Assert.Equal("done", events[^1].Name);
            Assert.Equal("stop", events[^1].Data["finishReason"]!.GetValue<string>());
            var shown = events.AnswerText();
            Assert.EndsWith(LastSentence, shown);
            Assert.DoesNotContain("13812345678", shown);
            Assert.True(fx.Green.Accepted > answered + 1, "Green was asked about the question and the answer");
        });
        EverySignatureVerified();
    }

    [Fact(DisplayName = "Green down, fail-closed question: the turn is refused with a retryable 'retry' message")]
    public async Task Outage_fail_closed_refuses_the_question()
    {
        await WhileGreenIsDownAsync("closed", "open", async user =>
        {
            var calls = fx.Model.Requests.Count;
            var (events, _) = await AskAsync(user, "Tell me about the office network.");
            var error = Assert.Single(events, e => e.Name == "error");
            Assert.Equal("moderation_unavailable", error.Data["code"]!.GetValue<string>());
            Assert.True(error.Data["retryable"]!.GetValue<bool>());
            Assert.Contains(error.Data["message"]!.GetValue<string>(), Unavailable);
            Assert.Equal(calls, fx.Model.Requests.Count);
        });
    }

    [Fact(DisplayName = "Green down, fail-closed question: a batch prompt is not failed for good; the job says it waits for moderation, and answers the prompt once Green is back")]
    public async Task Outage_fail_closed_batch_waits()
    {
        using var tenant = await fx.NewTenantAsync("gb");
        foreach (var (id, tier) in new[] { ("small", "small"), ("large", "large") })
            await ApiClient.EnsureAsync(await tenant.Admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = fx.Model.BaseUrl, apiKey = "test-key", modelName = "batch-" + id, tier, domains = Array.Empty<string>(),
                inputPerMillion = 1m, cachedInputPerMillion = 0.25m, outputPerMillion = 4m, contextWindowTokens = 128_000, batchDiscount = 0.5m,
            }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await tenant.Admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "small", largeModelId = "large" }), HttpStatusCode.OK);
        await tenant.Admin.PatchModerationAsync(new { greenFailureMode = "closed", greenOutputFailureMode = "open" });
        await Task.Delay(1200); // past the silo's settings and routing caches
        fx.Green.AlwaysFault = new LocalGreenServer.Fault(GreenApi.CodeTimeout);
        string jobId;
        try
        {
            var (status, job) = await tenant.User.PostAsync("/v1/batches", new { modelId = "small", prompts = new[] { "Summarize the travel policy" } });
            Assert.True(status == HttpStatusCode.Accepted, job?.ToJsonString());
            jobId = job!["jobId"]!.GetValue<string>();
            JsonNode view = job;
            for (var i = 0; i < 100 && view["waitingFor"]?.GetValue<string>() != "moderation"; i++)
            {
                await Task.Delay(100);
                view = await tenant.User.GetJsonAsync($"/v1/batches/{jobId}");
            }
            Assert.Equal("moderation", view["waitingFor"]?.GetValue<string>());
            Assert.Equal((0, 0), (view["succeeded"]!.GetValue<int>(), view["failed"]!.GetValue<int>()));
        }
        finally
        {
            fx.Green.AlwaysFault = null;
        }
        // Green is back: the prompt is checked again at the job's next try (within its first 5 s back-off) and answered.
        JsonNode done = await tenant.User.GetJsonAsync($"/v1/batches/{jobId}");
        for (var i = 0; i < 200 && done["status"]!.GetValue<string>() != "completed"; i++)
        {
            await Task.Delay(100);
            done = await tenant.User.GetJsonAsync($"/v1/batches/{jobId}");
        }
        Assert.Equal(("completed", 1, 0), (done["status"]!.GetValue<string>(), done["succeeded"]!.GetValue<int>(), done["failed"]!.GetValue<int>()));
        Assert.Null(done["waitingFor"]);
    }

    [Fact(DisplayName = "A turn stopped before its question is stored (Stop while the question is still being checked) answers 409 'stopped', not a 503 inviting a retry; nothing is stored")]
    public async Task Stop_before_the_question_is_stored_is_a_conflict()
    {
        using var user = await DemoUserAsync();
        var id = await user.CreateConversationAsync();
        const string turnId = "stop-before-commit";
        fx.Green.Delay = TimeSpan.FromSeconds(3);
        try
        {
            var send = user.PostMessageAsync(id, "Tell me about the office network.", turnId: turnId);
            await Task.Delay(700); // the question is with Green now
            var cancel = await user.Http.PostAsync($"/v1/conversations/{id}/turns/{turnId}/cancel", null);
            Assert.True(cancel.IsSuccessStatusCode, await cancel.Content.ReadAsStringAsync());
            using var res = await send;
            var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.Conflict);
            Assert.Equal("stopped", problem["code"]!.GetValue<string>());
            Assert.Null(res.Headers.RetryAfter);
        }
        finally
        {
            fx.Green.Delay = TimeSpan.Zero;
        }
        Assert.Empty(await user.MessagesAsync(id));
    }

    [Theory(DisplayName = "Green answering well-formed JSON of another shape is Green down: fail-open answers, fail-closed refuses as moderation_unavailable")]
    [InlineData("open")]
    [InlineData("closed")]
    public async Task Answer_of_another_shape_is_green_down(string mode)
    {
        var garbage = new LocalGreenServer.Fault(200, RawBody: "{\"Code\":200,\"Data\":{\"RiskLevel\":\"high\",\"Result\":[{\"Label\":\"x\",\"Confidence\":\"abc\"}]}}");
        await WhileGreenIsDownAsync(mode, "open", async user =>
        {
            var (events, _) = await AskAsync(user, "Tell me about the office network.");
            if (mode == "open")
            {
                Assert.Equal("done", events[^1].Name);
                Assert.EndsWith(LastSentence, events.AnswerText());
                return;
            }
            var error = Assert.Single(events, e => e.Name == "error");
            Assert.Equal("moderation_unavailable", error.Data["code"]!.GetValue<string>());
            Assert.True(error.Data["retryable"]!.GetValue<bool>());
        }, garbage);
    }

    [Fact(DisplayName = "Green down, fail-closed answer: the answer stops with a 'retry' notice")]
    public async Task Outage_fail_closed_withholds_the_answer()
    {
        await WhileGreenIsDownAsync("open", "closed", async user =>
        {
            var (events, id) = await AskAsync(user, "Tell me about the office network.");
            Assert.Equal("done", events[^1].Name);
            Assert.Equal("content_filter", events[^1].Data["finishReason"]!.GetValue<string>());
            var shown = events.AnswerText();
            Assert.DoesNotContain(LastSentence, shown);
            Assert.Contains(Unavailable, v => shown.EndsWith(v, StringComparison.Ordinal));
            var e = await OutputEventAsync(id);
            Assert.Equal("block", e["action"]!.GetValue<string>());
            Assert.Contains("green:unavailable", Strings(e["labels"]));
        });
    }

    [Fact(DisplayName = "A bad failure mode is a 400 naming the setting")]
    public async Task Bad_failure_mode_is_refused()
    {
        using var admin = fx.As(GreenPlatformFixture.DemoAdminKey);
        var res = await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { greenOutputFailureMode = "sometimes" });
        var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.BadRequest);
        Assert.Contains("greenOutputFailureMode", problem.ToJsonString());
    }
}
