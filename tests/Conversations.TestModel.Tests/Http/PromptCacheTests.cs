namespace Conversations.TestModel.Tests.Http;

/// <summary>cached_tokens in usage, reported the way providers report prefix cache hits.</summary>
public sealed class PromptCacheTests
{
    private static readonly TestModelOptions SmallBlocks = ChatHttp.SmallCacheBlocks(minimumTokens: 64);

    [Fact]
    public async Task Repeated_prefix_is_reported_as_cached_in_whole_blocks()
    {
        // Proves: a second prompt sharing a long prefix reports cached tokens, a multiple of the block, not above the shared part.
        await using var server = await TestModelServer.StartAsync(SmallBlocks);
        using var http = new HttpClient();
        var system = ChatHttp.LongText(20);

        var first = await UsageAsync(http, server, "m", [("system", system), ("user", "first question")]);
        var second = await UsageAsync(http, server, "m", [("system", system), ("user", "first question"), ("assistant", "an answer"), ("user", "second question")]);

        Assert.Equal(0, first.Cached);
        Assert.True(second.Cached >= 64, $"cached {second.Cached}");
        Assert.Equal(0, second.Cached % 16);
        Assert.True(second.Cached <= first.Prompt, $"cached {second.Cached} of a shared prompt of {first.Prompt}");
        Assert.True(second.Cached > first.Prompt - 32, $"cached {second.Cached} of a shared prompt of {first.Prompt}");
    }

    [Fact]
    public async Task Short_shared_prefix_reports_nothing()
    {
        // Proves: a shared prefix below the minimum is not reported as cached.
        await using var server = await TestModelServer.StartAsync(SmallBlocks);
        using var http = new HttpClient();

        await UsageAsync(http, server, "m", [("system", "Be brief."), ("user", "one")]);
        var second = await UsageAsync(http, server, "m", [("system", "Be brief."), ("user", "two")]);

        Assert.Equal(0, second.Cached);
    }

    [Fact]
    public async Task Changed_first_message_breaks_the_cache_and_models_do_not_share_it()
    {
        // Proves: the cache is a prefix cache (a change at the start loses it) and each model name has its own.
        await using var server = await TestModelServer.StartAsync(SmallBlocks);
        using var http = new HttpClient();
        var body = ChatHttp.LongText(20);

        await UsageAsync(http, server, "small", [("system", body), ("user", "q")]);
        var otherModel = await UsageAsync(http, server, "large", [("system", body), ("user", "q")]);
        var changedStart = await UsageAsync(http, server, "small", [("system", "X " + body), ("user", "q")]);
        var same = await UsageAsync(http, server, "small", [("system", body), ("user", "q")]);

        Assert.Equal(0, otherModel.Cached);
        Assert.Equal(0, changedStart.Cached);
        Assert.True(same.Cached > 0);
    }

    [Fact]
    public async Task Default_minimum_is_openai_1024_tokens()
    {
        // Proves: with default settings a repeated 500-token prompt reports nothing and a repeated 2,000-token one reports a multiple of 128 of at least 1,024.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        var shortText = ChatHttp.LongText(30, "short");
        var longText = ChatHttp.LongText(130, "long");

        await UsageAsync(http, server, "m", [("user", shortText)]);
        var shortRepeat = await UsageAsync(http, server, "m", [("user", shortText)]);
        var longFirst = await UsageAsync(http, server, "m", [("user", longText)]);
        var longRepeat = await UsageAsync(http, server, "m", [("user", longText)]);

        Assert.InRange(shortRepeat.Prompt, 200, 1023);
        Assert.Equal(0, shortRepeat.Cached);
        Assert.True(longFirst.Prompt > 1200, $"prompt {longFirst.Prompt}");
        Assert.True(longRepeat.Cached >= 1024, $"cached {longRepeat.Cached}");
        Assert.Equal(0, longRepeat.Cached % 128);
    }

    [Fact]
    public async Task Reset_forgets_the_cache()
    {
        // Proves: Control.Reset empties prompt caches, so a repeat after it reports nothing.
        await using var server = await TestModelServer.StartAsync(SmallBlocks);
        using var http = new HttpClient();
        var body = ChatHttp.LongText(20);

        await UsageAsync(http, server, "m", [("user", body)]);
        server.Control.Reset();
        var afterReset = await UsageAsync(http, server, "m", [("user", body)]);

        Assert.Equal(0, afterReset.Cached);
    }

    private static async Task<(int Prompt, int Cached)> UsageAsync(
        HttpClient http, TestModelServer server, string model, (string Role, string Content)[] messages)
    {
        using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body(model, messages));
        response.EnsureSuccessStatusCode();
        var usage = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");
        return (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }
}
