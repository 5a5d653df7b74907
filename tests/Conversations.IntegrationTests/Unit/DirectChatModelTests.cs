using System.Text;

namespace Conversations.IntegrationTests.Unit;

/// <summary>The direct OpenAI-compatible reader against Semantic Kernel's connector, both on the test model's real wire.</summary>
public sealed class DirectChatModelTests
{
    [Fact(DisplayName = "The direct reader gets what the connector gets: the text, the finish reason at the output cap, usage with cached tokens, and the same request fields")]
    public async Task Reads_what_the_connector_reads()
    {
        // A system prompt long enough for the provider's prefix cache (which starts at 1,024 tokens).
        var system = "Answer briefly, \"quoted\" and 中文. " + string.Join(' ', Enumerable.Repeat("The travel policy applies to every team.", 300));
        var request = new ModelRequest(
            [new PromptMessage(ChatRoles.System, system), new PromptMessage(ChatRoles.User, "hello")], 3, CacheKey: "tenant-a/conversation-7");

        // Each client on its own server (the answer names the model, and the prompt cache is the server's).
        static async Task<(List<ModelUpdate> Updates, RecordedRequest Sent)> TwiceAsync(ModelRequest request, bool connector)
        {
            await using var server = await TestModelServer.StartAsync();
            var model = OpenAiStreamingChatModel.Create(server.BaseUrl, "m", "key", TimeSpan.FromSeconds(30), true, null, connector);
            var updates = new List<ModelUpdate>();
            // The second call repeats the prompt, so the model reports it cached.
            for (var i = 0; i < 2; i++)
                await foreach (var u in model.StreamAsync(request, CancellationToken.None)) updates.Add(u);
            return (updates, server.Requests[0]);
        }
        var (direct, sentDirect) = await TwiceAsync(request, false);
        var (connector, sentConnector) = await TwiceAsync(request, true);

        Assert.Equal(string.Concat(connector.Select(u => u.Text)), string.Concat(direct.Select(u => u.Text)));
        Assert.Equal(["length", "length"], direct.Where(u => u.FinishReason is not null).Select(u => u.FinishReason!));
        Assert.Equal(connector.Where(u => u.FinishReason is not null).Select(u => u.FinishReason), direct.Where(u => u.FinishReason is not null).Select(u => u.FinishReason));
        var usage = direct.Where(u => u.Usage is not null).Select(u => u.Usage!).ToList();
        Assert.Equal(connector.Where(u => u.Usage is not null).Select(u => u.Usage!), usage);
        Assert.Equal(3, usage[1].CompletionTokens);
        Assert.True(usage[1].CachedPromptTokens > 0, "the repeated prompt is reported cached");

        Assert.Equal((sentConnector.User, sentConnector.PromptCacheKey, sentConnector.Stream), (sentDirect.User, sentDirect.PromptCacheKey, sentDirect.Stream));
        Assert.Equal("tenant-a/conversation-7", sentDirect.PromptCacheKey);
        Assert.Equal(sentConnector.Messages.Select(m => (m.Role, m.Content)), sentDirect.Messages.Select(m => (m.Role, m.Content)));
    }

    [Theory(DisplayName = "A stream that ends without a finish reason or [DONE] (a closed connection, no chunked framing) is a failure, not a finished answer, on the direct reader and on Semantic Kernel's connector (images)")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cut_stream_is_a_failure(bool semanticKernel)
    {
        const string part = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Parental leave is\"}}]}\n\n";
        var request = new ModelRequest([new PromptMessage(ChatRoles.User, "hi")], 8);
        async Task<(string Text, Exception? Error)> ReadAsync(string body)
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var serving = Task.Run(async () =>
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var buffer = new byte[65536];
                var seen = "";
                while (!seen.Contains("\r\n\r\n", StringComparison.Ordinal)) seen += Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer));
                await stream.WriteAsync(Encoding.UTF8.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + body));
            });
            var model = OpenAiStreamingChatModel.Create($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/v1", "m", "key", TimeSpan.FromSeconds(30), false, null, semanticKernel);
            var text = new StringBuilder();
            try
            {
                await foreach (var u in model.StreamAsync(request, CancellationToken.None)) text.Append(u.Text);
                return (text.ToString(), null);
            }
            catch (HttpIOException e)
            {
                return (text.ToString(), e);
            }
            finally
            {
                await serving;
            }
        }

        var cut = await ReadAsync(part);
        Assert.Equal("Parental leave is", cut.Text);
        Assert.NotNull(cut.Error);
        var whole = await ReadAsync(part + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        Assert.Equal(("Parental leave is", null), (whole.Text, whole.Error));
        if (semanticKernel) return;
        // The direct reader takes [DONE] alone as the end too.
        var done = await ReadAsync(part + "data: [DONE]\n\n");
        Assert.Equal(("Parental leave is", null), (done.Text, done.Error));
    }

    [Theory(DisplayName = "A tenant's endpoint that sends one endless event line fails the call once the line passes 1 MiB, on the direct reader and on Semantic Kernel's connector, instead of being held whole")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_endless_line_fails_the_call(bool semanticKernel)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var sent = 0L;
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[65536];
            var seen = "";
            while (!seen.Contains("\r\n\r\n", StringComparison.Ordinal)) seen += Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer));
            try
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Parental leave is\"}}]}\n\n"
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""));
                var run = Encoding.ASCII.GetBytes(new string('A', 64 * 1024));
                for (var i = 0; i < 20 * 16; i++) // 20 MiB of one line, unless the reader lets go first
                {
                    await stream.WriteAsync(run);
                    sent += run.Length;
                }
            }
            catch (IOException)
            {
                // The reader let go of the connection: what this test expects.
            }
        });
        var endpoints = new Conversations.Routing.Endpoints.EndpointPolicy(new Conversations.Routing.Endpoints.EndpointPolicyOptions { AllowLoopback = true });
        using var pool = new Conversations.Grains.Routing.ChatModelPool(Microsoft.Extensions.Options.Options.Create(new ChatModelOptions { StreamWithSemanticKernel = semanticKernel }), endpoints,
            Microsoft.Extensions.Options.Options.Create(new Orleans.Configuration.ClusterOptions()));
        var model = pool.Get(new Conversations.Contracts.Routing.ModelRegistration("endless", $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/v1",
            "key", "m", "small", [], 1m, 0.25m, 4m, 128_000, 0.5m));
        var text = new StringBuilder();
        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var u in model.StreamAsync(new ModelRequest([new PromptMessage(ChatRoles.User, "hi")], 8), CancellationToken.None)) text.Append(u.Text);
        });
        await serving;
        Assert.Equal("Parental leave is", text.ToString());
        Assert.NotNull(error);
        Assert.Contains("longer than 1 MiB", Chain(error).Select(e => e.Message).FirstOrDefault(m => m.Contains("MiB", StringComparison.Ordinal)) ?? error.ToString());
        Assert.True(sent < 20L * 1024 * 1024, $"the server wrote the whole 20 MiB ({sent:N0} bytes): the reader held the line instead of failing");
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    [Fact(DisplayName = "An endpoint's error reaches the turn as the connector's exception, with the status and the body")]
    public async Task Errors_carry_status_and_body()
    {
        await using var server = await TestModelServer.StartAsync();
        server.Control.SetFault(TestModelOptions.DefaultModelName, FaultRule.Status(429));
        var model = OpenAiStreamingChatModel.Create(server.BaseUrl, TestModelOptions.DefaultModelName, "key", TimeSpan.FromSeconds(30), false, null, false);
        var e = await Assert.ThrowsAsync<Microsoft.SemanticKernel.HttpOperationException>(async () =>
        {
            await foreach (var _ in model.StreamAsync(new ModelRequest([new PromptMessage(ChatRoles.User, "hi")], 8), CancellationToken.None)) { }
        });
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.ResponseContent));
    }
}
