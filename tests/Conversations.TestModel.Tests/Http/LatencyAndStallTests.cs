using System.Diagnostics;

namespace Conversations.TestModel.Tests.Http;

/// <summary>Latency settings and connection-level faults: timeouts, stalls, aborts.</summary>
public sealed class LatencyAndStallTests
{
    [Fact]
    public async Task First_token_and_per_token_delays_are_kept()
    {
        // Proves: the first chunk arrives after the time to first token and the stream lasts about ttft + n * per-token.
        await using var server = await TestModelServer.StartAsync(new TestModelOptions
        {
            Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(500), TimePerToken = TimeSpan.FromMilliseconds(20), AnswerTokens = 11 },
        });
        using var http = new HttpClient();
        // Warm up first: the first request of a cold process pays for JIT, which is not what this test measures.
        using (var warm = await http.PostAsync(server.BaseUrl + "/chat/completions", System.Net.Http.Json.JsonContent.Create(ChatHttp.Body("m", "hi", stream: true))))
            await warm.Content.ReadAsStringAsync();
        var clock = Stopwatch.StartNew();
        using var response = await ChatHttp.OpenAsync(http, server, ChatHttp.Body("m", "hi", stream: true));
        var headersAt = clock.Elapsed;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var firstLine = await reader.ReadLineAsync();
        var firstTokenAt = clock.Elapsed;
        await reader.ReadToEndAsync();
        var endAt = clock.Elapsed;

        Assert.StartsWith("data: ", firstLine);
        // Headers go out before the first-token delay, so the gap between them is most of the delay: half of it leaves
        // room for a loaded machine reading the headers late (a CI run saw them 97 ms after they were sent).
        Assert.True(firstTokenAt - headersAt >= TimeSpan.FromMilliseconds(250), $"headers at {headersAt}, first token at {firstTokenAt}");
        Assert.InRange(firstTokenAt.TotalMilliseconds, 490, 3000);
        Assert.InRange(endAt.TotalMilliseconds, 490 + (10 * 20) - 20, 4000);
    }

    [Fact]
    public async Task Timeout_fault_sends_no_headers_until_the_client_gives_up()
    {
        // Proves: a timeout fault never sends response headers, so a client timeout fires; the next request is served.
        await using var server = await TestModelServer.StartAsync();
        server.Control.SetFault("m", FaultRule.Timeout(count: 1));
        // Long enough for the request to reach the server on a loaded machine (a test run's first seconds, every test
        // project starting at once, took more than 2 s): one cut before it arrived would leave the fault to the next
        // request, which would then wait out its own timeout.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(8) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi")));
        Assert.Single(server.Requests);
        // The next request gets a patient client: on a loaded machine a healthy answer can take longer than 300 ms.
        using var patient = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var next = await ChatHttp.PostAsync(patient, server, ChatHttp.Body("m", "hi"));

        Assert.True(next.IsSuccessStatusCode);
        Assert.Equal(FaultKind.Timeout, server.Requests[0].Fault);
    }

    [Fact]
    public async Task Timeout_fault_is_bounded_by_its_hold()
    {
        // Proves: a held request is closed by the server once the hold ends, even if the client would wait longer.
        await using var server = await TestModelServer.StartAsync();
        server.Control.SetFault("m", FaultRule.Timeout(TimeSpan.FromMilliseconds(200)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<HttpRequestException>(() => ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi")));

        Assert.InRange(clock.Elapsed.TotalMilliseconds, 150, 5000);
    }

    [Fact]
    public async Task Stall_mid_stream_is_detected_by_a_read_timeout()
    {
        // Proves: after the set number of tokens the stream goes silent without ending, so a stall timer on reads fires.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        using var response = await OpenFaultedStreamAsync(server, http, FaultRule.Stall(afterTokens: 3));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var events = 0;
        var stalled = false;
        while (true)
        {
            using var stallTimer = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
            try
            {
                var line = await reader.ReadLineAsync(stallTimer.Token);
                if (line is null)
                {
                    break;
                }

                events += line.StartsWith("data: ", StringComparison.Ordinal) ? 1 : 0;
            }
            catch (OperationCanceledException)
            {
                stalled = true;
                break;
            }
        }

        Assert.True(stalled);
        Assert.Equal(3, events);
        Assert.Equal(FaultKind.StallMidStream, server.Requests.Single().Fault);
    }

    [Fact]
    public async Task Abort_mid_stream_breaks_the_connection_after_some_tokens()
    {
        // Proves: an abort fault delivers the set number of chunks, then the read fails instead of ending cleanly.
        await using var server = await TestModelServer.StartAsync();
        using var http = new HttpClient();
        using var response = await OpenFaultedStreamAsync(server, http, FaultRule.Abort(afterTokens: 2));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var events = 0;
        var error = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                events += line.StartsWith("data: ", StringComparison.Ordinal) ? 1 : 0;
            }
        });

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(2, events);
    }

    [Fact]
    public async Task Slow_first_token_adds_to_the_model_latency()
    {
        // Proves: the slow-first-token fault delays the answer by its hold and then answers normally.
        await using var server = await TestModelServer.StartAsync();
        server.Control.SetFault("m", FaultRule.SlowFirstToken(TimeSpan.FromMilliseconds(250), count: 1));
        using var http = new HttpClient();

        var clock = Stopwatch.StartNew();
        using var slow = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi"));
        var slowTime = clock.Elapsed;
        using var fast = await ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi"));

        Assert.True(slow.IsSuccessStatusCode);
        Assert.True(fast.IsSuccessStatusCode);
        Assert.InRange(slowTime.TotalMilliseconds, 240, 5000);
        // The fault had a budget of one request: the second is answered without it (checked from the server's log,
        // not from a wall-clock limit that a busy machine can break).
        Assert.Equal([FaultKind.SlowFirstToken, null], server.Requests.Select(r => r.Fault));
    }

    [Fact]
    public async Task Disposing_the_server_ends_held_connections_quickly()
    {
        // Proves: stopping the server does not wait out a long stall hold.
        var server = await TestModelServer.StartAsync();
        server.Control.SetFault("m", FaultRule.Timeout(TimeSpan.FromMinutes(5)));
        using var http = new HttpClient();
        var pending = ChatHttp.PostAsync(http, server, ChatHttp.Body("m", "hi"));
        await WaitUntilAsync(() => server.Counters.Total.Active == 1);

        var clock = Stopwatch.StartNew();
        await server.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"dispose took {clock.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    /// <summary>Sets the fault on model "m" and opens a streamed chat request to it.</summary>
    private static Task<HttpResponseMessage> OpenFaultedStreamAsync(TestModelServer server, HttpClient http, FaultRule fault)
    {
        server.Control.SetFault("m", fault);
        return ChatHttp.OpenAsync(http, server, ChatHttp.Body("m", "hi", stream: true));
    }
}
