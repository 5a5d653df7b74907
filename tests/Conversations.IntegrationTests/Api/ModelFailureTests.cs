using Conversations.IntegrationTests.Infrastructure;
using Conversations.TestModel;

namespace Conversations.IntegrationTests.Api;

/// <summary>A platform process on an OpenAI-compatible test model that can be made slow or broken.</summary>
public sealed class ModelPlatformFixture : IAsyncLifetime
{
    public const string OperatorKey = "cvk_modelop_model-operator-secret";
    public TestModelServer Model { get; private set; } = null!;
    public TestDatabase Database { get; private set; } = null!;
    public PlatformProcess Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Model = await TestModelServer.StartAsync(new TestModelOptions());
        Database = await TestDatabase.CreateAsync("model");
        Platform = await PlatformProcess.StartApiAsync(new PlatformProcess.Settings(Database.ConnectionString, "model-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment =
            {
                ["Bootstrap__OperatorKey"] = OperatorKey,
                ["Models__Chat__Endpoint"] = Model.BaseUrl,
                ["Models__Chat__ModelId"] = "test-model",
                // Generous for the first token: the process's first model call (JIT, connection) on a loaded 2-core CI
                // machine can pass 1.5 s, which would turn the stall test's late first token into a timeout.
                ["Models__Chat__FirstTokenTimeout"] = "00:00:04",
                ["Models__Chat__StallTimeout"] = "00:00:01.5",
            },
        });
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Database.DisposeAsync();
        await Model.DisposeAsync();
    }
}

/// <summary>Model outages, timeouts and stalls end the stream with a clear error event, never a hang.</summary>
public sealed class ModelFailureTests(ModelPlatformFixture fx) : IClassFixture<ModelPlatformFixture>
{
    private async Task<(ApiClient User, string ConversationId)> NewConversationAsync()
    {
        using var op = new ApiClient(fx.Platform.BaseUrl!, ModelPlatformFixture.OperatorKey);
        using var admin = new ApiClient(fx.Platform.BaseUrl!, await op.CreateTenantAsync($"m-{Guid.NewGuid():n}"[..20]));
        var user = new ApiClient(fx.Platform.BaseUrl!, await admin.CreateUserWithKeyAsync("alice"));
        return (user, await user.CreateConversationAsync());
    }

    [Fact(DisplayName = "A configured model answers through Semantic Kernel, streaming, with its usage in the done event")]
    public async Task Model_answers()
    {
        fx.Model.Control.Reset();
        var (user, id) = await NewConversationAsync();
        using var _ = user;
        var events = await user.SendAsync(id, "What is the capital of France?");
        Assert.True(events[^1].Name == "done", events.Dump());
        Assert.Equal("test-model", events[^1].Data["model"]!.GetValue<string>());
        Assert.True(events.Count(e => e.Name == "delta") > 1, "the answer should stream in several deltas");
        Assert.True(events[^1].Data["usage"]!["promptTokens"]!.GetValue<int>() > 0);
        var request = fx.Model.Requests.Last();
        Assert.True(request.Stream);
    }

    [Fact(DisplayName = "A model that never answers ends the turn with a model_timeout error event, and the turn is stored as failed")]
    public async Task Timeout_is_an_error_event()
    {
        fx.Model.Control.Reset();
        // The model holds for 30 s; the platform gives up after its 4 s first-token timeout (and one silent retry), so an
        // answer well before the hold ends proves it did not wait for the model, with room for a cold, busy host.
        fx.Model.Control.SetFault(TestModelOptions.DefaultModelName, FaultRule.Timeout(TimeSpan.FromSeconds(30)));
        var (user, id) = await NewConversationAsync();
        using var _ = user;
        var started = DateTime.UtcNow;
        var events = await user.SendAsync(id, "hello?");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), $"the stream must not hang (took {DateTime.UtcNow - started})");
        Assert.Equal("error", events[^1].Name);
        Assert.Equal("model_timeout", events[^1].Data["code"]!.GetValue<string>());
        var messages = (await user.GetConversationAsync(id))["messages"]!.AsArray();
        Assert.Equal("failed", messages[^1]!["status"]!.GetValue<string>());
        fx.Model.Control.Reset();
    }

    [Fact(DisplayName = "A model that stalls mid-answer ends with a retryable model_stalled, and the partial answer is kept with a notice, marked incomplete")]
    public async Task Stall_keeps_partial()
    {
        fx.Model.Control.Reset();
        fx.Model.Control.SetFault(TestModelOptions.DefaultModelName, FaultRule.Stall(afterTokens: 3, hold: TimeSpan.FromSeconds(10)));
        var (user, id) = await NewConversationAsync();
        using var _ = user;
        var events = await user.SendAsync(id, "tell me something long");
        Assert.Equal("error", events[^1].Name);
        Assert.Equal("model_stalled", events[^1].Data["code"]!.GetValue<string>());
        Assert.True(events[^1].Data["retryable"]!.GetValue<bool>());
        var partial = events.AnswerText();
        Assert.StartsWith("test-model", partial); // the test model's answers start with its name
        Assert.EndsWith("]", partial); // the notice that the answer is incomplete
        var last = (await user.GetConversationAsync(id))["messages"]!.AsArray()[^1]!;
        Assert.Equal("incomplete", last["status"]!.GetValue<string>());
        Assert.Equal(partial, last["content"]!.GetValue<string>());
        fx.Model.Control.Reset();
    }

    [Fact(DisplayName = "A model returning HTTP 500 ends the turn with a model_unavailable error event")]
    public async Task Server_error_is_an_error_event()
    {
        fx.Model.Control.Reset();
        fx.Model.Control.FailAlways(TestModelOptions.DefaultModelName, 500);
        var (user, id) = await NewConversationAsync();
        using var _ = user;
        var events = await user.SendAsync(id, "hello?");
        Assert.Equal("error", events[^1].Name);
        Assert.Equal("model_unavailable", events[^1].Data["code"]!.GetValue<string>());
        fx.Model.Control.Reset();
    }
}
