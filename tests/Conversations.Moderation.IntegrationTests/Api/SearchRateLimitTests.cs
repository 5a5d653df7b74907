namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>Knowledge search is a front door of the same pipeline: it counts against the caller's request limit.</summary>
public sealed class SearchRateLimitTests(ModerationPlatformFixture fx) : ModerationPlatformTests
{
    [Fact(DisplayName = "Searches count against the per-user request limit; bad searches get their 400 and are not counted")]
    public async Task Search_is_rate_limited()
    {
        var (admin, user) = await fx.NewTenantWithModerationAsync(new { userRequestsPerMinute = 2 });
        async Task<HttpResponseMessage> SearchAsync(object body) => await user.Http.PostAsJsonAsync("/v1/knowledge/search", body);

        using (var blank = await SearchAsync(new { question = " " })) Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        using (var first = await SearchAsync(new { question = "holiday policy" })) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // The limit is per user across front doors: a chat turn uses the second request of the minute.
        var id = await user.CreateConversationAsync();
        Assert.Equal("done", (await user.SendAsync(id, "what is the holiday policy?"))[^1].Name);

        using var third = await SearchAsync(new { question = "expense policy" });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        // Another user of the same tenant has a limit of their own.
        using var adminSearch = await admin.Http.PostAsJsonAsync("/v1/knowledge/search", new { question = "expense policy" });
        Assert.Equal(HttpStatusCode.OK, adminSearch.StatusCode);
    }
}
