namespace Conversations.IntegrationTests.Api;

/// <summary>Model outages, timeouts and stalls end the stream with a clear error event, never a hang.</summary>
public sealed class ModelFailureTests(ModelPlatformFixture fx) : IClassFixture<ModelPlatformFixture>
{
    [Fact(DisplayName = "A configured model answers, streamed as its tokens arrive, with its usage in the done event")]
    public async Task Model_answers()
    {
        fx.Model.Control.Reset();
        // Tokens 30 ms apart: deltas that arrive together go out as one, so only an answer that arrives over time shows
        // that it streams.
        fx.Model.Control.Default = fx.Model.Control.Default with { TimePerToken = TimeSpan.FromMilliseconds(30) };
        var (user, id) = await fx.NewConversationAsync("m");
        var events = await user.SendAsync(id, "What is the capital of France?");
        Assert.True(events[^1].Name == "done", events.Dump());
        Assert.Equal("test-model", events[^1].Data["model"]!.GetValue<string>());
        Assert.True(events.Count(e => e.Name == "delta") > 1, "the answer should stream in several deltas");
        Assert.True(events[^1].Data["usage"]!["promptTokens"]!.GetValue<int>() > 0);
        var request = fx.Model.Requests.Last();
        Assert.True(request.Stream);
    }

    [Fact(DisplayName = "While a slow model has not sent its first token the stream sends id-less 'waiting' progress heartbeats, and a resume from the last real event is unaffected")]
    public async Task Slow_first_token_gets_heartbeats()
    {
        fx.Model.Control.Reset();
        fx.Model.Control.Default = fx.Model.Control.Default with { TimeToFirstToken = TimeSpan.FromSeconds(2.5) };
        try
        {
            var (user, id) = await fx.NewConversationAsync("hb");
            var turnId = "t-" + Guid.NewGuid().ToString("n")[..12];
            var events = await user.SendAsync(id, "What is the capital of France?", turnId);
            Assert.True(events[^1].Name == "done", events.Dump());
            var firstDelta = events.FindIndex(e => e.Name == "delta");
            var beats = events.Select((e, i) => (e, i)).Where(x => x.e.Name == "progress" && x.e.Data["stage"]?.GetValue<string>() == "waiting").ToList();
            Assert.True(beats.Count >= 2, events.Dump());
            Assert.All(beats, b => Assert.True(b.i < firstDelta && b.e.Id is null, events.Dump()));
            // The interval is the platform's setting, and /v1/me tells a client what silence to expect (0.5 s here).
            Assert.Equal(0.5, (await user.GetJsonAsync("/v1/me"))["heartbeatSeconds"]!.GetValue<double>());

            // A client cut off during the wait resumes from the last event that had an id, and gets the whole answer.
            var lastReal = events.Take(beats[^1].i).Last(e => e.Id is not null);
            var resumed = await user.ResumeUntilEndAsync(id, turnId, [lastReal]);
            Assert.Equal(string.Concat(events.Where(e => e.Name == "delta").Select(e => e.Data["text"]!.GetValue<string>())),
                string.Concat(resumed.Where(e => e.Name == "delta").Select(e => e.Data["text"]!.GetValue<string>())));
        }
        finally
        {
            fx.Model.Control.Reset();
        }
    }

    [Fact(DisplayName = "A model that never answers ends the turn with a model_timeout error event, and the turn is stored as failed")]
    public async Task Timeout_is_an_error_event()
    {
        fx.Model.Control.Reset();
        // The model holds for 30 s; the platform gives up after its 4 s first-token timeout (and one silent retry), so an
        // answer well before the hold ends proves it did not wait for the model, with room for a cold, busy host.
        fx.Model.Control.SetFault(TestModelOptions.DefaultModelName, FaultRule.Timeout(TimeSpan.FromSeconds(30)));
        var (user, id) = await fx.NewConversationAsync("m");
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
        var (user, id) = await fx.NewConversationAsync("m");
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
        var (user, id) = await fx.NewConversationAsync("m");
        var events = await user.SendAsync(id, "hello?");
        Assert.Equal("error", events[^1].Name);
        Assert.Equal("model_unavailable", events[^1].Data["code"]!.GetValue<string>());
        fx.Model.Control.Reset();
    }
}
