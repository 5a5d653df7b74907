namespace Conversations.IntegrationTests.Cluster;

/// <summary>Kills the platform process with SIGKILL and checks that every acknowledged message survives the restart.</summary>
public sealed class DurabilityTests
{
    [Fact(DisplayName = "After kill -9 and restart, every acknowledged message is there and the cut turn is marked interrupted")]
    public async Task Kill_and_restart_keeps_history()
    {
        // A slow model, so the last turn is still streaming when the process dies.
        await using var cluster = await ProcessCluster.CreateAsync("dur", new ModelBehavior { TimePerToken = TimeSpan.FromMilliseconds(150), AnswerTokens = 200 });
        var model = cluster.Model!;
        var port = PlatformProcess.FreePort();
        string userKey, id;
        var acknowledged = new List<string>();
        await using (var first = await PlatformProcess.StartApiAsync(cluster.Settings, httpPort: port))
        {
            userKey = await cluster.NewUserKeyAsync(first, "durable");
            using var user = new ApiClient(first.BaseUrl!, userKey);
            id = await user.CreateConversationAsync();
            model.Control.Default = model.Control.Default with { TimePerToken = TimeSpan.Zero, AnswerTokens = 10 };
            for (var i = 0; i < 3; i++)
            {
                var events = await user.SendAsync(id, $"question {i}");
                Assert.Equal("done", events[^1].Name);
                acknowledged.Add($"question {i}");
            }

            // Start a slow turn and kill the process once the first delta arrived (the question was acknowledged).
            model.Control.Default = model.Control.Default with { TimePerToken = TimeSpan.FromMilliseconds(150), AnswerTokens = 200 };
            using var req = new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{id}/messages") { Content = JsonContent.Create(new { text = "the cut question" }) };
            using var res = await user.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && line != "event: delta") { }
            acknowledged.Add("the cut question");
            first.Kill();
        }

        await using var second = await PlatformProcess.StartApiAsync(cluster.Settings, httpPort: port);
        using var again = new ApiClient(second.BaseUrl!, userKey);
        var messages = (await again.GetConversationAsync(id))["messages"]!.AsArray();
        var questions = messages.Where(m => m!["role"]!.GetValue<string>() == "user").Select(m => m!["content"]!.GetValue<string>()).ToList();
        Assert.Equal(acknowledged, questions);
        var last = messages[^1]!;
        Assert.Equal("assistant", last["role"]!.GetValue<string>());
        Assert.Equal("interrupted", last["status"]!.GetValue<string>());
        Assert.Equal(messages[^2]!["turnId"]!.GetValue<string>(), last["turnId"]!.GetValue<string>());

        // The conversation goes on normally after the crash.
        model.Control.Default = model.Control.Default with { TimePerToken = TimeSpan.Zero, AnswerTokens = 5 };
        var next = await again.SendAsync(id, "after the restart");
        Assert.Equal("done", next[^1].Name);
        Assert.Equal(messages.Count + 2, (await again.GetConversationAsync(id))["messages"]!.AsArray().Count);
    }
}
