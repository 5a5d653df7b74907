namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>Limits set by the tenant admin answer 429 with Retry-After before any stream starts.</summary>
public sealed class RateLimitApiTests(ModerationPlatformFixture fx) : ModerationPlatformTests
{
    [Fact(DisplayName = "Past the per-user request limit the API answers 429 with Retry-After and a friendly problem body")]
    public async Task Request_limit_answers_429()
    {
        var (admin, user) = await fx.NewTenantWithModerationAsync(new { userRequestsPerMinute = 2 });
        var id = await user.CreateConversationAsync();
        for (var i = 0; i < 2; i++) Assert.Equal("done", (await user.SendAsync(id, $"question {i}"))[^1].Name);

        using var res = await user.PostMessageAsync(id, "one more");
        Assert.Equal(HttpStatusCode.TooManyRequests, res.StatusCode);
        var retryAfter = res.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60); // when the first of the two leaves the 60-second window
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        var problem = (await res.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        Assert.Equal(("rate_limited", "user", "requests"), (problem["code"]!.GetValue<string>(), problem["scope"]!.GetValue<string>(), problem["limit"]!.GetValue<string>()));
        Assert.Equal((int)retryAfter.Value.TotalSeconds, problem["retryAfterSeconds"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]!.GetValue<string>()));

        using var zh = await user.PostMessageAsync(id, "请再回答一个问题");
        var zhDetail = (await zh.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>();
        Assert.Matches("[\u4E00-\u9FFF]", zhDetail);
        // Limits are per user: the admin of the same tenant is not affected.
        var adminConversation = await admin.CreateConversationAsync();
        Assert.Equal("done", (await admin.SendAsync(adminConversation, "hello"))[^1].Name);
    }

    [Fact(DisplayName = "A limit the admin raises applies to a user already refused within a couple of seconds, not when the window frees a slot")]
    public async Task Raised_limit_applies_to_a_refused_user_at_once()
    {
        var (admin, user) = await fx.NewTenantWithModerationAsync(new { userRequestsPerMinute = 1 });
        var id = await user.CreateConversationAsync();
        Assert.Equal("done", (await user.SendAsync(id, "the one question this minute"))[^1].Name);
        using (var refused = await user.PostMessageAsync(id, "one more"))
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        await admin.PatchModerationAsync(new { userRequestsPerMinute = 100 });
        // The user's window still holds the first request for most of a minute; the raised limit must not wait for it.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var res = await user.PostMessageAsync(id, "after the raise");
            status = res.StatusCode;
            if (status == HttpStatusCode.OK) await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
            else await Task.Delay(250);
        }
        while (status == HttpStatusCode.TooManyRequests && clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the raised limit applied after {clock.Elapsed}");
    }

    [Fact(DisplayName = "Bad messages get their 4xx before the limit is asked and are never counted; only sending is limited")]
    public async Task Bad_messages_are_answered_first_and_not_counted()
    {
        var (_, user) = await fx.NewTenantWithModerationAsync(new { userRequestsPerMinute = 1 });
        var id = await user.CreateConversationAsync();
        async Task<HttpStatusCode> PostAsync(string conversationId, object body)
        {
            using var res = await user.Http.PostAsJsonAsync($"/v1/conversations/{conversationId}/messages", body);
            return res.StatusCode;
        }

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(id, new { text = " " }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(id, new { text = new string('a', 16_001) }));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(id, new { text = "hello", turnId = "not a turn id" }));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync(new string('c', 65), new { text = "hello" }));
        // None of those used the one request a minute.
        Assert.Equal("done", (await user.SendAsync(id, "the one question this minute"))[^1].Name);

        Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(id, new { text = "one more" }));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(id, new { text = "" }));
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/v1/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync($"/v1/conversations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await user.Http.PostAsJsonAsync("/v1/conversations", new { title = "another" })).StatusCode);
    }

    [Fact(DisplayName = "60 concurrent HTTP requests against a user limit of 9 are admitted exactly 9 times (a stream, or 409 while the conversation is busy) and get 51 answers of 429")]
    public async Task Concurrent_http_requests_admit_exactly_the_limit()
    {
        var (_, user) = await fx.NewTenantWithModerationAsync(new { userRequestsPerMinute = 9 });
        var conversations = new List<string>();
        for (var i = 0; i < 9; i++) conversations.Add(await user.CreateConversationAsync());
        var statuses = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var res = await user.PostMessageAsync(conversations[i % 9], $"concurrent {i}");
            if (res.StatusCode == HttpStatusCode.OK) await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
            return res.StatusCode;
        }));
        // Admitted: a stream, or a 409 when another admitted turn of the same conversation was still running.
        Assert.Equal(9, statuses.Count(s => s is HttpStatusCode.OK or HttpStatusCode.Conflict));
        Assert.Equal(51, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact(DisplayName = "A limit of 20 a minute admits exactly 20 of 40 requests sent seconds apart; the settings name the 60-second window")]
    public async Task Limit_holds_over_a_minute_not_just_at_once()
    {
        var (admin, user) = await fx.NewTenantWithModerationAsync(new { userRequestsPerMinute = 20 });
        var settings = await admin.GetJsonAsync("/v1/moderation/settings");
        Assert.Equal(20, settings["userRequestsPerMinute"]!.GetValue<int>());
        Assert.Equal(60, settings["windowSeconds"]!.GetValue<int>());
        var conversations = new List<string>();
        for (var i = 0; i < 10; i++) conversations.Add(await user.CreateConversationAsync());

        async Task<HttpStatusCode[]> SendAsync(int from) => await Task.WhenAll(Enumerable.Range(from, 20).Select(async i =>
        {
            using var res = await user.PostMessageAsync(conversations[i % 10], $"question {i}");
            if (res.StatusCode == HttpStatusCode.OK) await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
            return res.StatusCode;
        }));
        var started = DateTime.UtcNow;
        var first = await SendAsync(0);
        // A token bucket would have refilled 20/60 a request a second by now; a 60-second window frees nothing.
        var wait = TimeSpan.FromSeconds(7) - (DateTime.UtcNow - started);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var second = await SendAsync(20);
        // Admitted: a stream, or a 409 when another admitted turn of the same conversation was still running.
        Assert.Equal(20, first.Count(s => s is HttpStatusCode.OK or HttpStatusCode.Conflict));
        Assert.Equal(0, second.Count(s => s is HttpStatusCode.OK or HttpStatusCode.Conflict));
        Assert.All(second, s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        using var refused = await user.PostMessageAsync(conversations[0], "one more");
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 40, 60); // the first admitted leaves the window ~53 s from now
    }

    [Fact(DisplayName = "A turn's real token count is charged after it; once over the token budget the next request gets 429 (tokens)")]
    public async Task Token_budget_answers_429_on_the_next_request()
    {
        var (_, user) = await fx.NewTenantWithModerationAsync(new { userTokensPerMinute = 60 });
        var id = await user.CreateConversationAsync();
        var done = (await user.SendAsync(id, "Please explain the travel policy in detail."))[^1];
        Assert.Equal("done", done.Name);
        var usage = done.Data["usage"]!;
        Assert.True(usage["promptTokens"]!.GetValue<int>() + usage["completionTokens"]!.GetValue<int>() > 60, "the turn must use more than the budget");

        using var res = await user.PostMessageAsync(id, "and the expenses policy?");
        Assert.Equal(HttpStatusCode.TooManyRequests, res.StatusCode);
        var problem = (await res.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("tokens", problem["limit"]!.GetValue<string>());
        Assert.True(res.Headers.RetryAfter?.Delta?.TotalSeconds >= 1);
    }

    [Fact(DisplayName = "A stopped answer's tokens are charged as a finished one's: stopping is no way round the token budget")]
    public async Task Stopped_turn_is_charged_against_the_token_budget()
    {
        var (_, user) = await fx.NewTenantWithModerationAsync(new { userTokensPerMinute = 60 });
        var id = await user.CreateConversationAsync();
        List<SseEvent> events;
        using (fx.Model.Control.ChangeDefault(b => b with { TimePerToken = TimeSpan.FromMilliseconds(50), AnswerTokens = 400 }))
        {
            using var res = await user.PostMessageAsync(id, "Please explain the travel policy in detail.");
            await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
            var turnId = res.Headers.GetValues("Turn-Id").Single();
            using (var reader = new StreamReader(await res.Content.ReadAsStreamAsync()))
                while (await reader.ReadLineAsync() is { } line && line != "event: delta") { }
            await ApiClient.EnsureAsync(await user.Http.PostAsync($"/v1/conversations/{id}/turns/{turnId}/cancel", null), HttpStatusCode.OK);
            events = await user.ResumeUntilEndAsync(id, turnId, []);
        }
        var done = events.Done();
        Assert.Equal("stopped", done["finishReason"]!.GetValue<string>());
        var usage = done["usage"]!;
        Assert.True(usage["promptTokens"]!.GetValue<int>() + usage["completionTokens"]!.GetValue<int>() > 60, "the stopped turn must use more than the budget");

        using var next = await user.PostMessageAsync(id, "and the expenses policy?");
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
        Assert.Equal("tokens", (await next.Content.ReadFromJsonAsync<JsonNode>())!["limit"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Settings validation: a user limit above the tenant's or an unknown Green mode is a 400")]
    public async Task Invalid_settings_are_400()
    {
        var (admin, user) = await fx.NewTenantAsync();
        var res = await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { userRequestsPerMinute = 10, tenantRequestsPerMinute = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Contains("tenantRequestsPerMinute", await res.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { greenFailureMode = "maybe" })).StatusCode);
        var settings = await admin.GetJsonAsync("/v1/moderation/settings");
        Assert.Equal(60, settings["userRequestsPerMinute"]!.GetValue<int>());
    }
}
