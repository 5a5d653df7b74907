using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Conversations.Moderation.IntegrationTests.Infrastructure;

namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>Limits set by the tenant admin answer 429 with Retry-After before any stream starts.</summary>
[Collection(ModerationPlatformCollection.Name)]
public sealed class RateLimitApiTests(ModerationPlatformFixture fx)
{
    private static async Task SetAsync(ApiClient admin, object patch)
    {
        var res = await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", patch);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
    }

    [Fact(DisplayName = "Past the per-user request limit the API answers 429 with Retry-After and a friendly problem body")]
    public async Task Request_limit_answers_429()
    {
        var (admin, user) = await fx.NewTenantAsync();
        using var _ = admin;
        using var __ = user;
        await SetAsync(admin, new { userRequestsPerMinute = 2 });
        var id = await user.CreateConversationAsync();
        for (var i = 0; i < 2; i++) Assert.Equal("done", (await user.SendAsync(id, $"question {i}"))[^1].Name);

        using var res = await user.PostMessageAsync(id, "one more");
        Assert.Equal(HttpStatusCode.TooManyRequests, res.StatusCode);
        var retryAfter = res.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 30);
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

    [Fact(DisplayName = "60 concurrent HTTP requests against a user limit of 9 get exactly 9 streams and 51 answers of 429")]
    public async Task Concurrent_http_requests_admit_exactly_the_limit()
    {
        var (admin, user) = await fx.NewTenantAsync();
        using var _ = admin;
        using var __ = user;
        await SetAsync(admin, new { userRequestsPerMinute = 9 });
        var conversations = new List<string>();
        for (var i = 0; i < 9; i++) conversations.Add(await user.CreateConversationAsync());
        var statuses = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var res = await user.PostMessageAsync(conversations[i % 9], $"concurrent {i}");
            if (res.StatusCode == HttpStatusCode.OK) await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
            return res.StatusCode;
        }));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(51, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact(DisplayName = "A turn's real token count is charged after it; once over the token budget the next request gets 429 (tokens)")]
    public async Task Token_budget_answers_429_on_the_next_request()
    {
        var (admin, user) = await fx.NewTenantAsync();
        using var _ = admin;
        using var __ = user;
        await SetAsync(admin, new { userTokensPerMinute = 60 });
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

    [Fact(DisplayName = "Settings validation: a user limit above the tenant's or an unknown Green mode is a 400")]
    public async Task Invalid_settings_are_400()
    {
        var (admin, user) = await fx.NewTenantAsync();
        using var _ = admin;
        using var __ = user;
        var res = await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { userRequestsPerMinute = 10, tenantRequestsPerMinute = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Contains("tenantRequestsPerMinute", await res.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { greenFailureMode = "maybe" })).StatusCode);
        var settings = await admin.GetJsonAsync("/v1/moderation/settings");
        Assert.Equal(60, settings["userRequestsPerMinute"]!.GetValue<int>());
    }
}
