namespace Conversations.Routing.IntegrationTests.OpenAi;

/// <summary>
/// What OpenAI's SDKs do on their own: retry errors (unless x-should-retry says no), and hang up on a stream the user
/// stopped, expecting the generation to stop with it.
/// </summary>
public sealed class RetryAndHangUpTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "A client that hangs up mid-stream stops its turn: the answer is stored as stopped with part of the text, and the next message in that conversation is answered, not refused as busy")]
    public async Task Hanging_up_stops_the_turn()
    {
        using var t = await NewAsync(fx);
        // About 12 s of answer: without the stop, the conversation would stay busy (409) for all of it.
        SetModels(fx, t, fx.Model.Control.Default with { AnswerTokens = 600, TimePerToken = TimeSpan.FromMilliseconds(20) });
        string conversationId;
        using (var res = await PostAsync(t.User, Ask(Question, stream: true)))
        {
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            conversationId = res.Headers.GetValues(ConversationHeader).Single();
            Assert.False(string.IsNullOrEmpty(res.Headers.GetValues("Turn-Id").Single()));
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(), Encoding.UTF8);
            var contentChunks = 0;
            while (contentChunks < 3 && await reader.ReadLineAsync() is { } line)
                contentChunks += line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal) ? 1 : 0;
        } // hangs up, as stream.controller.abort() does
        SetModels(fx, t, fx.Model.Control.Default);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var next = await PostAsync(t.User, Ask("And the sick leave policy?"), conversationId);
            status = next.StatusCode;
            if (status == HttpStatusCode.Conflict) await Task.Delay(200);
        }
        while (status == HttpStatusCode.Conflict && clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, status);

        var history = await HistoryAsync(t.User, conversationId);
        var stopped = history[1]!;
        Assert.Equal("stopped", stopped["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(stopped["content"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "A non-streamed request with an Idempotency-Key that times out on the client keeps its answer going: the retry under the key (as the SDKs send it) gets the whole answer, not the part written before the hang-up")]
    public async Task Keyed_request_that_times_out_is_answered_whole_on_retry()
    {
        using var t = await NewAsync(fx);
        var answer = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"word{i}"));
        // About 3 s of answer at 50 ms a token: the first try gives up after one second.
        SetModels(fx, t, fx.Model.Control.Default with { ScriptedAnswer = answer, TimePerToken = TimeSpan.FromMilliseconds(50) });
        var key = $"sdk-retry-{Guid.NewGuid():n}";
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Ask(Question)) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t.User.Http.SendAsync(Request(), timeout.Token));

        using var retry = await t.User.Http.SendAsync(Request());
        await ApiClient.EnsureAsync(retry, HttpStatusCode.OK);
        Assert.Matches("^[0-9a-f]{32}$", retry.Headers.GetValues("x-request-id").Single()); // an answer's too, not only an error's
        var completion = (await retry.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("stop", completion["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Contains("word60", completion["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        var conversationId = retry.Headers.GetValues(ConversationHeader).Single();
        var history = await HistoryAsync(t.User, conversationId);
        Assert.Equal(2, history.Count); // one question, one answer: the retry was the same turn
        Assert.Equal("complete", history[1]!["status"]!.GetValue<string>());
    }

    [Fact(DisplayName = "x-should-retry tells the SDKs which errors a retry can mend: a spent budget (429 insufficient_quota) says false, a rate limit with Retry-After says true; each error carries an x-request-id")]
    public async Task Errors_say_whether_a_retry_helps()
    {
        using var t = await NewAsync(fx, new
        {
            smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false,
            monthlyBudgetUsd = 0.000001m, atBudgetLimit = "refuse",
        });
        using (var spent = await PostAsync(t.User, Ask(Question)))
        {
            var error = await ErrorAsync(spent, HttpStatusCode.TooManyRequests);
            Assert.Equal("insufficient_quota", error["code"]!.GetValue<string>());
            Assert.Equal("false", spent.Headers.GetValues("x-should-retry").Single());
            Assert.Matches("^[0-9a-f]{32}$", spent.Headers.GetValues("x-request-id").Single());
        }

        await t.Admin.PatchModerationAsync(new { userRequestsPerMinute = 1 });
        (await PostAsync(t.User, Ask(Question))).Dispose();
        using var limited = await PostAsync(t.User, Ask(Question));
        await ErrorAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Equal("true", limited.Headers.GetValues("x-should-retry").Single());
    }
}
