using System.Net.Http.Headers;

namespace Conversations.TestModel.Tests.Http;

/// <summary>Errors in OpenAI's shape: malformed bodies, missing keys, injected statuses.</summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task Malformed_body_gets_400_in_openai_error_shape()
    {
        // Proves: a body that is not valid JSON is answered 400 with error.message, type and code.
        var (status, body) = await PostRawAsync("{\"model\":");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal("invalid_request", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Missing_messages_gets_400()
    {
        // Proves: a request without messages is rejected, not answered.
        var (status, _) = await PostRawAsync("{\"model\":\"m\",\"messages\":[]}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Required_api_key_is_checked()
    {
        // Proves: with an API key set, a missing or wrong bearer gets 401 and the right one gets 200.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions { ApiKey = "secret" });
        using var http = new HttpClient();

        using var missing = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using var wrong = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "secret");
        using var right = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi"));

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("invalid_api_key", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Fail_next_fails_exactly_that_many_requests()
    {
        // Proves: FailNext(2, 503) fails the next two requests of that model only, then answers again.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        server.Control.FailNext("large", 2, 503);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body("large", "hi"));
            statuses.Add(response.StatusCode);
        }

        using var other = await ChatHttp.PostAsync(http, server, ChatHttp.Body("small", "hi"));

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(2, server.Counters.ForModel("large").Faults);
        Assert.Equal(0, server.Counters.ForModel("small").Faults);
    }

    [Fact]
    public async Task Rate_limit_fault_sends_retry_after()
    {
        // Proves: an injected 429 carries Retry-After in seconds (rounded up) and retry-after-ms.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        server.Control.SetFault("m", FaultRule.Status(429) with { RetryAfter = TimeSpan.FromMilliseconds(1500) });

        using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi"));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Equal("1500", response.Headers.GetValues("retry-after-ms").Single());
        Assert.Equal("rate_limit_exceeded", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Probability_faults_are_seeded_and_near_the_rate()
    {
        // Proves: a 30 % fault rate hits roughly 30 % of requests, identically for two servers with the same seed.
        var fault = FaultRule.Status(500) with { Probability = 0.3, Seed = 42 };
        var first = await RunAsync(fault);
        var second = await RunAsync(fault);

        Assert.Equal(first, second);
        Assert.InRange(first.Count(failed => failed), 35, 85);

        static async Task<List<bool>> RunAsync(FaultRule fault)
        {
            await using var server = await TestModelServer.StartAsync(new TestModelOptions
            {
                Models = new Dictionary<string, ModelBehavior> { ["flaky"] = new() { Fault = fault, AnswerTokens = 1 } },
            });
            using var http = new HttpClient();
            var failed = new List<bool>();
            for (var i = 0; i < 200; i++)
            {
                using var response = await ChatHttp.PostAsync(http, server, ChatHttp.Body("flaky", "hi"));
                failed.Add(response.StatusCode == HttpStatusCode.InternalServerError);
            }

            return failed;
        }
    }

    [Fact]
    public async Task Unknown_models_can_be_rejected()
    {
        // Proves: with RejectUnknownModels a model name without its own behaviour gets 404 model_not_found.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions
        {
            RejectUnknownModels = true,
            Models = new Dictionary<string, ModelBehavior> { ["small"] = new() },
        });
        using var http = new HttpClient();

        using var unknown = await ChatHttp.PostAsync(http, server, ChatHttp.Body("nope", "hi"));
        using var known = await ChatHttp.PostAsync(http, server, ChatHttp.Body("small", "hi"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
    }

    /// <summary>Posts a raw body to a fresh server and returns the status and the body of its answer.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> PostRawAsync(string body)
    {
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        using var response = await ChatHttp.PostRawAsync(http, server, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
