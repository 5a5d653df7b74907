using Conversations.TestModel.Control;
using Conversations.TestModel.Recording;
using Conversations.TestModel.Tokens;

namespace Conversations.TestModel.Tests.Http;

/// <summary>The request log, counters, and the HTTP control endpoints used from other processes.</summary>
public sealed class RecordingAndControlTests
{
    [Fact]
    public async Task Requests_are_recorded_with_their_fields_and_headers()
    {
        // Proves: the log keeps model, messages, stream flag, user, prompt_cache_key, token limits, temperature and headers.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Tenant", "t1");
        var body = ChatHttp.Body("small", [("system", "sys"), ("user", "hello")], stream: true, includeUsage: true);
        body["user"] = "t1/u1";
        body["prompt_cache_key"] = "t1/c1";
        body["max_completion_tokens"] = 50;
        body["temperature"] = 0.2;

        using var response = await ChatHttp.PostAsync(http, server, body);
        await response.Content.ReadAsStringAsync();

        var request = Assert.Single(server.Requests);
        Assert.Equal("small", request.Model);
        Assert.Equal([new PromptMessage("system", "sys"), new PromptMessage("user", "hello")], request.Messages);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage);
        Assert.Equal("t1/u1", request.User);
        Assert.Equal("t1/c1", request.PromptCacheKey);
        Assert.Equal(50, request.MaxCompletionTokens);
        Assert.Null(request.MaxTokens);
        Assert.Equal(0.2, request.Temperature);
        Assert.Equal("t1", request.Headers["x-tenant"]);
        Assert.Equal(200, request.StatusCode);
        Assert.True(request.Completed);
        Assert.Equal(ModelBehavior.DefaultAnswerTokens, request.CompletionTokens);
    }

    [Fact]
    public async Task A_client_that_leaves_mid_stream_is_recorded_with_the_tokens_sent_before_it_left()
    {
        // Proves: the log and the counters keep what a provider bills a client that hung up: the tokens already sent.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions
        {
            Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(10), TimePerToken = TimeSpan.FromMilliseconds(40), AnswerTokens = 200 },
        });
        using var http = new HttpClient();
        using (var response = await ChatHttp.OpenAsync(http, server, ChatHttp.Body("m", "hello", stream: true, includeUsage: true)))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            for (var chunks = 0; chunks < 5;)
            {
                if ((await reader.ReadLineAsync())?.StartsWith("data: ", StringComparison.Ordinal) == true) chunks++;
            }
        }

        RecordedRequest? recorded = null;
        for (var i = 0; i < 100 && recorded?.Completed != true; i++)
        {
            await Task.Delay(50);
            recorded = Assert.Single(server.Requests);
        }

        Assert.True(recorded!.Completed);
        Assert.InRange(recorded.CompletionTokens, 5, 199);
        Assert.True(recorded.PromptTokens > 0);
        Assert.Equal(recorded.CompletionTokens, server.Counters.Total.CompletionTokens);
    }

    [Fact]
    public async Task Log_is_bounded()
    {
        // Proves: past its capacity the log drops the oldest requests.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions { RequestLogCapacity = 3 });
        using var http = new HttpClient();
        for (var i = 0; i < 5; i++)
        {
            using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", $"q{i}"));
        }

        Assert.Equal(["q2", "q3", "q4"], server.Requests.Select(request => request.LastUserMessage));
        Assert.Equal(5, server.Counters.Total.Requests);
    }

    [Fact]
    public async Task Control_endpoints_change_behaviour_and_read_the_log()
    {
        // Proves: a model configured over HTTP answers as set, faults set over HTTP apply, and the log and counters read back.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        var control = new TestModelControlClient(new HttpClient { BaseAddress = new Uri(server.RootUrl + "/") });

        await control.SetModelAsync("math", new ModelBehavior { ScriptedAnswer = "It is 4." });
        using var answered = await ChatHttp.PostAsync(http, server, ChatHttp.Body("math", "2+2?"));
        await control.SetFaultAsync("math", FaultRule.Status(500, count: 1));
        using var failed = await ChatHttp.PostAsync(http, server, ChatHttp.Body("math", "2+2?"));
        var requests = await control.GetRequestsAsync("math");
        var counters = await control.GetCountersAsync();

        Assert.Contains("It is 4.", await answered.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(2, requests.Count);
        Assert.Equal(FaultKind.Status, requests[1].Fault);
        Assert.Equal(2, counters.Models["math"].Requests);
        Assert.Equal(1, counters.Models["math"].Faults);
        Assert.Equal("It is 4.", server.Control.GetBehavior("math").ScriptedAnswer);
    }

    [Fact]
    public async Task Partial_behaviour_json_keeps_defaults()
    {
        // Proves: posting only some fields over HTTP leaves the other settings at their documented defaults.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.PutAsJsonAsync(server.RootUrl + "/control/models/large", new { timeToFirstTokenMs = 40, fault = new { kind = "StallMidStream" } });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var behavior = server.Control.GetBehavior("large");
        Assert.Equal(TimeSpan.FromMilliseconds(40), behavior.TimeToFirstToken);
        Assert.Equal(ModelBehavior.DefaultAnswerTokens, behavior.AnswerTokens);
        Assert.Equal(FaultKind.StallMidStream, behavior.Fault!.Kind);
        Assert.Equal(1.0, behavior.Fault.Probability);
        Assert.Equal(3, behavior.Fault.AfterTokens);
        Assert.Equal(FaultRule.DefaultHold, behavior.Fault.Hold);
    }

    [Fact]
    public async Task Bad_control_json_gets_400()
    {
        // Proves: an unknown fault kind is refused instead of silently ignored.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.PutAsJsonAsync(server.RootUrl + "/control/models/x", new { fault = new { kind = "Bogus" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Per_model_behaviour_and_echo()
    {
        // Proves: models on one server answer by their own settings, and unknown names follow the default.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions
        {
            Default = new ModelBehavior { Echo = true },
            Models = new Dictionary<string, ModelBehavior> { ["small"] = new() { ScriptedAnswer = "small says hi" } },
        });
        server.Control.SetModel("large", new ModelBehavior { AnswerFactory = context => $"large read {context.Messages.Count} messages" });
        using var http = new HttpClient();

        var small = await ContentAsync("small");
        var large = await ContentAsync("large");
        var other = await ContentAsync("other");
        server.Control.RemoveModel("large");
        var largeAfterRemove = await ContentAsync("large");

        Assert.Equal("small says hi", small);
        Assert.Equal("large read 1 messages", large);
        Assert.Equal("echo me", other);
        Assert.Equal("echo me", largeAfterRemove);

        async Task<string?> ContentAsync(string model)
        {
            using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body(model, "echo me"));
            var root = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        }
    }
}
