namespace Conversations.IntegrationTests.Unit;

/// <summary>The opt-in <c>prompt_cache_key</c>: copied from <c>user</c> into the request body, nothing else changed.</summary>
public sealed class PromptCacheKeyTests
{
    [Theory(DisplayName = "The key is the user field's string, escapes included, and every other member is kept")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"model":"m","user":"t1/c_42","stream":true}""", "t1/c_42")]
    [InlineData("""{"user":"quote \" and \u00e9","max_tokens":5}""", "quote \" and \u00e9")]
    public void Key_copies_user(string body, string expected)
    {
        var rewritten = PromptCacheKeyPolicy.WithKey(Encoding.UTF8.GetBytes(body));

        var before = JsonNode.Parse(body)!.AsObject();
        var after = JsonNode.Parse(rewritten!)!.AsObject();
        Assert.Equal(expected, after["prompt_cache_key"]!.GetValue<string>());
        after.Remove("prompt_cache_key");
        Assert.True(JsonNode.DeepEquals(before, after));
    }

    [Theory(DisplayName = "No user field, or a key already there: the body is left as it is")]
    [InlineData("""{"messages":[],"model":"m"}""")]
    [InlineData("""{"user":"a","prompt_cache_key":"b"}""")]
    [InlineData("""{"metadata":{"user":"nested"}}""")]
    public void Body_without_user_is_unchanged(string body) =>
        Assert.Null(PromptCacheKeyPolicy.WithKey(Encoding.UTF8.GetBytes(body)));

    [Fact(DisplayName = "Through Semantic Kernel to an OpenAI-compatible server: prompt_cache_key equals user when switched on, absent when off")]
    public async Task Sent_only_when_switched_on()
    {
        await using var server = await TestModelServer.StartAsync();
        var request = new ModelRequest([new PromptMessage(ChatRoles.User, "hello")], 16, CacheKey: "tenant-a/conversation-7");

        foreach (var on in new[] { true, false })
        {
            var model = new SemanticKernelChatModel(server.BaseUrl, "m-" + on, "key", TimeSpan.FromSeconds(30), sendPromptCacheKey: on);
            await foreach (var _ in model.StreamAsync(request, CancellationToken.None)) { }
        }

        var sent = server.Requests.ToDictionary(r => r.Model);
        Assert.Equal("tenant-a/conversation-7", sent["m-True"].User);
        Assert.Equal("tenant-a/conversation-7", sent["m-True"].PromptCacheKey);
        Assert.Equal("tenant-a/conversation-7", sent["m-False"].User);
        Assert.Null(sent["m-False"].PromptCacheKey);
    }
}
